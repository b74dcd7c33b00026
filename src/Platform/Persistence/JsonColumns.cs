using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// Maps a typed property (a message record, a list, a dictionary) to one JSON text column. The entity exposes the
/// typed value itself, parsed once when the row is loaded and written when it is saved; a list can be changed in
/// place (<c>state.History.Add(...)</c>) because the comparer snapshots the value as JSON and compares snapshots, so
/// nothing is lost when the caller forgets to assign the value back.
/// </summary>
public static class JsonColumns
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property, string column)
    {
        ArgumentNullException.ThrowIfNull(property);
        var comparer = new ValueComparer<T>(
            (a, b) => Serialize(a) == Serialize(b),
            v => Serialize(v).GetHashCode(StringComparison.Ordinal),
            v => Deserialize<T>(Serialize(v)));
        property.HasConversion(v => Serialize(v), v => Deserialize<T>(v), comparer).HasColumnName(column);
        return property;
    }

    private static string Serialize<T>(T? value) => JsonSerializer.Serialize(value, Json);

    private static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Json)!;
}
