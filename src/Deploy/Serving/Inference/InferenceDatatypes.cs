using Pipeline.Tabular.Schema;

namespace Pipeline.Deploy.Serving.Inference;

/// <summary>The protocol's tensor data types, and which of them can feed each kind of column.</summary>
public static class InferenceDatatypes
{
    public const string Bool = "BOOL";
    public const string Bytes = "BYTES";
    public const string Fp32 = "FP32";
    public const string Fp64 = "FP64";

    private static readonly string[] Floats = ["FP16", Fp32, Fp64];
    private static readonly string[] Signed = ["INT8", "INT16", "INT32", "INT64"];
    private static readonly string[] Unsigned = ["UINT8", "UINT16", "UINT32", "UINT64"];

    /// <summary>Every data type of the protocol (BF16 aside: it has no JSON form here).</summary>
    public static IReadOnlyList<string> All { get; } = [Bool, .. Signed, .. Unsigned, .. Floats, Bytes];

    public static bool IsFloat(string datatype) => Floats.Contains(datatype, StringComparer.Ordinal);

    public static bool IsSigned(string datatype) => Signed.Contains(datatype, StringComparer.Ordinal);

    public static bool IsUnsigned(string datatype) => Unsigned.Contains(datatype, StringComparer.Ordinal);

    /// <summary>The type the metadata advertises for a column (the one a client should send).</summary>
    public static string For(ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric => Fp64,
        ColumnKind.Boolean => Bool,
        _ => Bytes, // dates as "yyyy-MM-dd" strings, categories as their names
    };

    /// <summary>
    /// Whether a tensor of <paramref name="datatype"/> can feed a column of <paramref name="kind"/>: numbers for
    /// numeric columns; BOOL (or BYTES "yes"/"no") for booleans; BYTES for dates; BYTES, integers or BOOL for categories
    /// (a category coded as a number reads as its digits, as in a CSV file).
    /// </summary>
    public static bool Fits(string datatype, ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric => IsFloat(datatype) || IsSigned(datatype) || IsUnsigned(datatype),
        ColumnKind.Boolean => datatype is Bool or Bytes,
        ColumnKind.Date => datatype == Bytes,
        ColumnKind.Categorical => datatype is Bytes or Bool || IsSigned(datatype) || IsUnsigned(datatype),
        _ => true,
    };

    /// <summary>What to send for a column of <paramref name="kind"/>, in words for an error.</summary>
    public static string Expected(ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric => "FP32, FP64 or an integer type",
        ColumnKind.Boolean => "BOOL",
        ColumnKind.Date => "BYTES (\"yyyy-MM-dd\" strings)",
        _ => "BYTES (or an integer type for numeric codes)",
    };
}
