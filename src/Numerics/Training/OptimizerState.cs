using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pipeline.Numerics.Training;

/// <summary>
/// An optimizer's state between training runs: the update count (Adam's bias correction) and the first and second
/// moments (SGD momentum uses <see cref="First"/> only; empty arrays where the optimizer keeps none). Carried from
/// round to round so a worker continues where the merged model's optimizer left off instead of starting Adam cold.
/// </summary>
public sealed record OptimizerState(long Step, float[] First, float[] Second)
{
    private const uint Magic = 0x534F4C50; // "PLOS", little-endian
    private const int FormatVersion = 1;

    /// <summary>The sample-weighted mean of several states (moments and step count), summed in double in list order.</summary>
    public static OptimizerState WeightedAverage(IReadOnlyList<(OptimizerState State, long Samples)> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
        {
            throw new ArgumentException("Nothing to average.", nameof(states));
        }

        var first = states[0].State;
        var total = states.Sum(s => s.Samples);
        if (total <= 0 || states.Any(s => s.State.First.Length != first.First.Length || s.State.Second.Length != first.Second.Length))
        {
            throw new ArgumentException("Optimizer states of different shapes, or no samples, cannot be averaged.", nameof(states));
        }

        double step = 0;
        var m = new double[first.First.Length];
        var v = new double[first.Second.Length];
        foreach (var (state, samples) in states)
        {
            step += (double)samples * state.Step;
            for (var i = 0; i < m.Length; i++)
            {
                m[i] += (double)samples * state.First[i];
            }

            for (var i = 0; i < v.Length; i++)
            {
                v[i] += (double)samples * state.Second[i];
            }
        }

        return new OptimizerState(
            (long)Math.Round(step / total),
            [.. m.Select(x => (float)(x / total))],
            [.. v.Select(x => (float)(x / total))]);
    }

    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], Step);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], First.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], Second.Length);
        stream.Write(header);
        WriteFloats(stream, First);
        WriteFloats(stream, Second);
    }

    public static OptimizerState Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[24];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || BinaryPrimitives.ReadInt32LittleEndian(header[4..]) != FormatVersion)
        {
            throw new InvalidDataException("not an optimizer state file (format 1)");
        }

        var step = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var firstLength = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        var secondLength = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        if (step < 0 || firstLength < 0 || secondLength < 0 || (stream.CanSeek && stream.Length - stream.Position != 4L * (firstLength + (long)secondLength)))
        {
            throw new InvalidDataException("the optimizer state file is truncated or has a bad header");
        }

        return new OptimizerState(step, ReadFloats(stream, firstLength), ReadFloats(stream, secondLength));
    }

    private static void WriteFloats(Stream stream, float[] values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Optimizer state files are little-endian.");
        }

        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(Stream stream, int count)
    {
        var values = new float[count];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
