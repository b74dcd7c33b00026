namespace Pipeline.Deploy.Serving;

/// <summary>
/// The request examples of the serving routes in the OpenAPI document, for the demo's house-price model (`houses`,
/// `./pipeline demo`): the document's test sends each one to a system serving such a model.
/// </summary>
internal static class ServingExamples
{
    public const string Rows = """[{"area_m2": 80, "rooms": 3, "age_years": 12, "distance_km": 4.2, "quality": 7, "garage": true, "neighbourhood": "centre", "sold_on": "2021-06-30"}]""";

    public const string Infer = """
        {"id": "42", "inputs": [
          {"name": "area_m2", "shape": [1], "datatype": "FP64", "data": [80]},
          {"name": "rooms", "shape": [1], "datatype": "INT64", "data": [3]},
          {"name": "age_years", "shape": [1], "datatype": "FP64", "data": [12]},
          {"name": "distance_km", "shape": [1], "datatype": "FP64", "data": [4.2]},
          {"name": "quality", "shape": [1], "datatype": "INT64", "data": [7]},
          {"name": "garage", "shape": [1], "datatype": "BOOL", "data": [true]},
          {"name": "neighbourhood", "shape": [1], "datatype": "BYTES", "data": ["centre"]},
          {"name": "sold_on", "shape": [1], "datatype": "BYTES", "data": ["2021-06-30"]}]}
        """;

    public const string Rollback = """{"toVersion": 1, "requestedBy": "alice"}""";
}
