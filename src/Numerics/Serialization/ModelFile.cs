using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Serialization;

/// <summary>
/// The versioned, self-describing binary model format (little-endian throughout):
/// <code>
/// "PNNM"  magic (4 bytes)
/// u16     format version (1)
/// u16     reserved, 0
/// i32     header length H
/// H bytes header: i32 inputs, i32 outputs, u8 hidden activation, u8 output kind, i32 hidden layer count,
///         i32 width per hidden layer, i32 feature-name count, per name (i32 UTF-8 byte length, bytes),
///         i32 parameter count
/// 4·P     parameters as float32, layer by layer (W row-major, then b)
/// 32      SHA-256 of every byte before it
/// </code>
/// Loading checks everything (magic, version, sizes, architecture against the parameter count, checksum) before
/// a network is built, so a bad file is refused whole with a <see cref="ModelFormatException"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version written by <see cref="Save"/>.</summary>
    public const int CurrentVersion = 1;

    private const int PrefixLength = 12;
    private const int ChecksumLength = 32;
    private const int MaxHeaderLength = 16 << 20;
    private const int MaxHiddenLayers = 4096;
    private const int MaxNameBytes = 64 << 10;
    private static ReadOnlySpan<byte> Magic => "PNNM"u8;

    /// <summary>Writes <paramref name="network"/> and its input feature names (one per input, or none).</summary>
    public static void Save(Stream stream, Network network, IReadOnlyList<string>? featureNames = null)
    {
        var spec = network.Spec;
        featureNames ??= [];
        if (featureNames.Count != 0 && featureNames.Count != spec.Inputs)
        {
            throw new ArgumentException($"Give one feature name per input ({spec.Inputs}) or none; got {featureNames.Count}.", nameof(featureNames));
        }

        using var header = new MemoryStream();
        using (var writer = new BinaryWriter(header, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(spec.Inputs);
            writer.Write(spec.Outputs);
            writer.Write((byte)spec.HiddenActivation);
            writer.Write((byte)spec.OutputKind);
            writer.Write(spec.HiddenWidths.Count);
            foreach (int width in spec.HiddenWidths)
            {
                writer.Write(width);
            }

            writer.Write(featureNames.Count);
            foreach (string name in featureNames)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(name);
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }

            writer.Write(network.ParameterCount);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> prefix = stackalloc byte[PrefixLength];
        Magic.CopyTo(prefix);
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[4..], CurrentVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(prefix[6..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(prefix[8..], (int)header.Length);
        WriteHashed(stream, hash, prefix);
        WriteHashed(stream, hash, header.GetBuffer().AsSpan(0, (int)header.Length));

        byte[] parameterBytes = new byte[network.ParameterCount * sizeof(float)];
        var parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(parameterBytes.AsSpan(i * sizeof(float)), parameters[i]);
        }

        WriteHashed(stream, hash, parameterBytes);
        stream.Write(hash.GetHashAndReset());
    }

    /// <summary>Saves to a file (written to a temporary name first, then moved, so readers never see half a file).</summary>
    public static void Save(string path, Network network, IReadOnlyList<string>? featureNames = null)
    {
        string temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            Save(stream, network, featureNames);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a model file; throws <see cref="ModelFormatException"/> saying what is wrong with a bad one.</summary>
    public static LoadedModel Load(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] prefix = ReadHashed(stream, hash, PrefixLength, "the file header");
        if (!prefix.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new ModelFormatException("Not a Pipeline model file (the magic bytes \"PNNM\" are missing).");
        }

        int version = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(4));
        if (version != CurrentVersion)
        {
            throw new ModelFormatException($"Unsupported model file version {version}; this build reads version {CurrentVersion}.");
        }

        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix.AsSpan(8));
        if (headerLength is < 0 or > MaxHeaderLength)
        {
            throw new ModelFormatException($"Corrupt model file: header length {headerLength} is out of range.");
        }

        byte[] headerBytes = ReadHashed(stream, hash, headerLength, "the architecture header");
        var (spec, featureNames, parameterCount) = ParseHeader(headerBytes);
        byte[] parameterBytes = ReadHashed(stream, hash, checked(parameterCount * sizeof(float)), "the parameters");
        byte[] expected = hash.GetHashAndReset();
        byte[] stored = ReadExactly(stream, ChecksumLength, "the checksum");
        if (!CryptographicOperations.FixedTimeEquals(expected, stored))
        {
            throw new ModelFormatException("Corrupt model file: the SHA-256 checksum does not match the contents.");
        }

        var parameters = new float[parameterCount];
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = BinaryPrimitives.ReadSingleLittleEndian(parameterBytes.AsSpan(i * sizeof(float)));
        }

        return new LoadedModel(Network.FromParameters(spec, parameters), featureNames, version);
    }

    /// <summary>Loads a model file from disk.</summary>
    public static LoadedModel Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    private static (NetworkSpec Spec, string[] FeatureNames, int ParameterCount) ParseHeader(byte[] header)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(header), Encoding.UTF8);
            int inputs = reader.ReadInt32();
            int outputs = reader.ReadInt32();
            byte activation = reader.ReadByte();
            byte outputKind = reader.ReadByte();
            int hiddenCount = reader.ReadInt32();
            if (hiddenCount is < 0 or > MaxHiddenLayers)
            {
                throw new ModelFormatException($"Corrupt model file: {hiddenCount} hidden layers is out of range.");
            }

            var widths = new int[hiddenCount];
            for (int i = 0; i < hiddenCount; i++)
            {
                widths[i] = reader.ReadInt32();
            }

            int nameCount = reader.ReadInt32();
            if (nameCount != 0 && nameCount != inputs)
            {
                throw new ModelFormatException($"Corrupt model file: {nameCount} feature names for {inputs} inputs.");
            }

            var names = new string[nameCount];
            for (int i = 0; i < nameCount; i++)
            {
                int length = reader.ReadInt32();
                if (length is < 0 or > MaxNameBytes)
                {
                    throw new ModelFormatException($"Corrupt model file: feature name length {length} is out of range.");
                }

                names[i] = Encoding.UTF8.GetString(reader.ReadBytes(length));
            }

            int parameterCount = reader.ReadInt32();
            if (!Enum.IsDefined((Activation)activation) || !Enum.IsDefined((OutputKind)outputKind))
            {
                throw new ModelFormatException($"Corrupt model file: unknown activation {activation} or output kind {outputKind}.");
            }

            var spec = new NetworkSpec(inputs, widths, (Activation)activation, outputs, (OutputKind)outputKind);
            if (spec.ParameterCount() != parameterCount)
            {
                throw new ModelFormatException($"Corrupt model file: {spec} has {spec.ParameterCount()} parameters but the file declares {parameterCount}.");
            }

            return (spec, names, parameterCount);
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or OverflowException)
        {
            throw new ModelFormatException($"Corrupt model file: the architecture header is invalid ({ex.Message}).", ex);
        }
    }

    private static void WriteHashed(Stream stream, IncrementalHash hash, ReadOnlySpan<byte> bytes)
    {
        hash.AppendData(bytes);
        stream.Write(bytes);
    }

    private static byte[] ReadHashed(Stream stream, IncrementalHash hash, int count, string what)
    {
        byte[] bytes = ReadExactly(stream, count, what);
        hash.AppendData(bytes);
        return bytes;
    }

    private static byte[] ReadExactly(Stream stream, int count, string what)
    {
        byte[] buffer = new byte[count];
        int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        if (read < count)
        {
            throw new ModelFormatException($"Truncated model file: it ends inside {what} ({read} of {count} bytes).");
        }

        return buffer;
    }
}
