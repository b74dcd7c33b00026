using Parquet;
using Parquet.Schema;

namespace Pipeline.Tabular.Parquet;

/// <summary>Reads one column of a row group into the <see cref="ParquetColumn"/> of its kind.</summary>
internal static class ParquetColumnReader
{
    public static bool Supports(DataField field) => Kind(field.ClrType) is not null;

    /// <summary>The column's type for the kind rules: durations are numbers (seconds), UUIDs text.</summary>
    public static Schema.DeclaredType DeclaredType(DataField field) => Kind(field.ClrType) switch
    {
        ValueKind.Integer or ValueKind.Real or ValueKind.Duration => Schema.DeclaredType.Number,
        ValueKind.Boolean => Schema.DeclaredType.Boolean,
        ValueKind.Date => Schema.DeclaredType.Date,
        _ => Schema.DeclaredType.Text,
    };

    public static async Task<ParquetColumn> ReadAsync(ParquetRowGroupReader group, DataField field, int rows)
    {
        var type = field.ClrType;
        if (Kind(type) == ValueKind.Text)
        {
            var text = new string?[rows];
            await group.ReadAsync(field, text.AsMemory());
            return new TextColumn(text);
        }

        return Kind(type) switch
        {
            ValueKind.Integer => new IntegerColumn(await ReadIntegersAsync(group, field, rows)),
            ValueKind.Real => new RealColumn(await ReadRealsAsync(group, field, rows)),
            ValueKind.Boolean => new BooleanColumn(await ReadAsync<bool>(group, field, rows)),
            ValueKind.Date => new DateColumn(await ReadDatesAsync(group, field, rows), field is DateTimeDataField { DateTimeFormat: DateTimeFormat.Date } || type == typeof(DateOnly)),
            ValueKind.Duration => new RealColumn(Convert(await ReadAsync<TimeSpan>(group, field, rows), t => t.TotalSeconds)),
            ValueKind.Identifier => new TextColumn(Convert(await ReadAsync<Guid>(group, field, rows), g => g.ToString())),
            _ => throw new NotSupportedException($"column type {type.Name}"),
        };
    }

    private enum ValueKind
    {
        Integer,
        Real,
        Boolean,
        Date,
        Duration,
        Identifier,
        Text,
    }

    private static ValueKind? Kind(Type type) => type switch
    {
        // Parquet.Net types UTF-8 columns as ReadOnlyMemory<char> and reads them as strings on request.
        _ when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => ValueKind.Text,
        _ when type == typeof(sbyte) || type == typeof(byte) || type == typeof(short) || type == typeof(ushort)
            || type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong) => ValueKind.Integer,
        _ when type == typeof(float) || type == typeof(double) || type == typeof(decimal) || type == typeof(Half) => ValueKind.Real,
        _ when type == typeof(bool) => ValueKind.Boolean,
        _ when type == typeof(DateTime) || type == typeof(DateOnly) || type == typeof(DateTimeOffset) => ValueKind.Date,
        _ when type == typeof(TimeSpan) => ValueKind.Duration,
        _ when type == typeof(Guid) => ValueKind.Identifier,
        _ => null,
    };

    private static async Task<long?[]> ReadIntegersAsync(ParquetRowGroupReader group, DataField field, int rows)
    {
        var type = field.ClrType;
        if (type == typeof(long))
        {
            return await ReadAsync<long>(group, field, rows);
        }

        return type switch
        {
            _ when type == typeof(int) => Convert(await ReadAsync<int>(group, field, rows), v => (long)v),
            _ when type == typeof(short) => Convert(await ReadAsync<short>(group, field, rows), v => (long)v),
            _ when type == typeof(sbyte) => Convert(await ReadAsync<sbyte>(group, field, rows), v => (long)v),
            _ when type == typeof(byte) => Convert(await ReadAsync<byte>(group, field, rows), v => (long)v),
            _ when type == typeof(ushort) => Convert(await ReadAsync<ushort>(group, field, rows), v => (long)v),
            _ when type == typeof(uint) => Convert(await ReadAsync<uint>(group, field, rows), v => (long)v),
            // Above long's range a value keeps its order but not its last bits: still a usable number.
            _ => Convert(await ReadAsync<ulong>(group, field, rows), v => v > long.MaxValue ? long.MaxValue : (long)v),
        };
    }

    private static async Task<double?[]> ReadRealsAsync(ParquetRowGroupReader group, DataField field, int rows)
    {
        var type = field.ClrType;
        return type switch
        {
            _ when type == typeof(double) => await ReadAsync<double>(group, field, rows),
            _ when type == typeof(float) => Convert(await ReadAsync<float>(group, field, rows), v => (double)v),
            _ when type == typeof(Half) => Convert(await ReadAsync<Half>(group, field, rows), v => (double)v),
            _ => Convert(await ReadAsync<decimal>(group, field, rows), v => (double)v),
        };
    }

    private static async Task<DateTime?[]> ReadDatesAsync(ParquetRowGroupReader group, DataField field, int rows)
    {
        var type = field.ClrType;
        return type switch
        {
            _ when type == typeof(DateOnly) => Convert(await ReadAsync<DateOnly>(group, field, rows), d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            _ when type == typeof(DateTimeOffset) => Convert(await ReadAsync<DateTimeOffset>(group, field, rows), d => d.UtcDateTime),
            _ => Convert(await ReadAsync<DateTime>(group, field, rows), d => d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d),
        };
    }

    /// <summary>Every value with its nulls, whether or not the column may hold any.</summary>
    private static async Task<T?[]> ReadAsync<T>(ParquetRowGroupReader group, DataField field, int rows)
        where T : struct
    {
        var values = new T?[rows];
        if (field.IsNullable)
        {
            await group.ReadAsync<T>(field, values.AsMemory());
            return values;
        }

        var required = new T[rows];
        await group.ReadAsync<T>(field, required.AsMemory());
        for (var i = 0; i < rows; i++)
        {
            values[i] = required[i];
        }

        return values;
    }

    private static TOut?[] Convert<TIn, TOut>(TIn?[] values, Func<TIn, TOut> convert)
        where TIn : struct
        where TOut : struct
    {
        var result = new TOut?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = values[i] is { } v ? convert(v) : null;
        }

        return result;
    }

    private static string?[] Convert<TIn>(TIn?[] values, Func<TIn, string> convert)
        where TIn : struct
    {
        var result = new string?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = values[i] is { } v ? convert(v) : null;
        }

        return result;
    }
}
