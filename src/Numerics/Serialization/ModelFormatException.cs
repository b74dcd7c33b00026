namespace Pipeline.Numerics.Serialization;

/// <summary>A model file is not a Pipeline model, is of an unsupported version, is truncated or is corrupt.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public ModelFormatException()
        : base("Invalid model file.")
    {
    }

    /// <summary>Creates the exception with a message a person can act on.</summary>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
