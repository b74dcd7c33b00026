using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Serialization;

namespace Pipeline.Numerics.Tests;

public class ModelFileTests
{
    private static readonly string[] Names = ["rooms", "area", "age", "lat", "lon"];

    [Fact]
    public void Save_then_load_round_trips_architecture_parameters_and_feature_names()
    {
        var network = Network.Create(new NetworkSpec(5, [64, 7], Activation.LeakyRelu, 2, OutputKind.BinaryClassification), 3);
        var loaded = ModelFile.Load(new MemoryStream(Save(network)));
        Assert.Equal(network.Spec, loaded.Network.Spec);
        Assert.Equal(network.Parameters.ToArray(), loaded.Network.Parameters.ToArray());
        Assert.Equal(Names, loaded.FeatureNames);
        Assert.Equal(ModelFile.CurrentVersion, loaded.FormatVersion);
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        byte[] bytes = Save(Network.Create(new NetworkSpec(5, [3], Activation.Relu, 1), 1));
        for (int length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream(bytes[..length])));
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }

    [Fact]
    public void Every_single_flipped_byte_is_refused()
    {
        byte[] bytes = Save(Network.Create(new NetworkSpec(5, [3], Activation.Relu, 1), 1));
        for (int i = 0; i < bytes.Length; i++)
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[i] ^= 0x5A;
            Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream(corrupt)));
        }
    }

    [Fact]
    public void A_foreign_file_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream("PK\u0003\u0004 this is a zip"u8.ToArray())));
        Assert.Contains("Not a Pipeline model file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newer_version_is_refused_with_a_clear_message()
    {
        byte[] bytes = Save(Network.Create(new NetworkSpec(5, [3], Activation.Relu, 1), 1));
        bytes[4] = 9;
        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream(bytes)));
        Assert.Contains("version 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_checksum_is_reported_as_corruption()
    {
        byte[] bytes = Save(Network.Create(new NetworkSpec(5, [3], Activation.Relu, 1), 1));
        bytes[^40] ^= 1; // a parameter byte: the header still parses, the checksum catches it
        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(new MemoryStream(bytes)));
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Saving_to_a_path_and_loading_back_works()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pnnm-{Guid.NewGuid():N}.model");
        try
        {
            var network = Network.Create(new NetworkSpec(5, [4], Activation.Tanh, 1), 2);
            ModelFile.Save(path, network, Names);
            Assert.Equal(network.Parameters.ToArray(), ModelFile.Load(path).Network.Parameters.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Save(Network network)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(stream, network, Names);
        return stream.ToArray();
    }
}
