using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Backends;

/// <summary>
/// Plain scalar loops, written for obviousness rather than speed: the yardstick the SIMD and ILGPU backends
/// are tested against.
/// </summary>
public sealed class ReferenceBackend : IComputeBackend
{
    /// <summary>The shared instance (the backend holds no state).</summary>
    public static ReferenceBackend Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public void MatMul(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float x = transposeA ? a[(p * m) + i] : a[(i * k) + p];
                    float y = transposeB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += x * y;
                }

                c[(i * n) + j] = accumulate ? c[(i * n) + j] + sum : sum;
            }
        }
    }

    /// <inheritdoc />
    public void AddBias(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < columns; j++)
            {
                matrix[(r * columns) + j] += bias[j];
            }
        }
    }

    /// <inheritdoc />
    public void SumRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums, bool accumulate)
    {
        for (int j = 0; j < columns; j++)
        {
            float sum = accumulate ? sums[j] : 0;
            for (int r = 0; r < rows; r++)
            {
                sum += matrix[(r * columns) + j];
            }

            sums[j] = sum;
        }
    }

    /// <inheritdoc />
    public void Activate(Activation activation, ReadOnlySpan<float> preActivation, Span<float> activated)
    {
        for (int i = 0; i < preActivation.Length; i++)
        {
            activated[i] = ScalarActivation.Value(activation, preActivation[i]);
        }
    }

    /// <inheritdoc />
    public void ActivationBackward(
        Activation activation, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> activated, ReadOnlySpan<float> gradOut, Span<float> gradPre)
    {
        for (int i = 0; i < preActivation.Length; i++)
        {
            gradPre[i] = gradOut[i] * ScalarActivation.Derivative(activation, preActivation[i]);
        }
    }
}
