using ILGPU;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Backends;

/// <summary>
/// The device kernels of <see cref="IlgpuBackend"/>. They compile to PTX for CUDA and run as plain .NET threads on
/// ILGPU's CPU accelerator (how the tests exercise them without a GPU). Only MathF.Exp is used for the
/// transcendental activations, since it maps to a native instruction on every ILGPU backend.
/// </summary>
internal static class IlgpuKernels
{
    /// <summary>Tile edge of the shared-memory matrix multiply: a 16×16 thread group computes a 16×16 block of C.</summary>
    public const int Tile = 16;

    /// <summary>
    /// Tiled C (+)= op(A)·op(B): each group stages a Tile×Tile block of A and of B in shared memory per step along
    /// k, so each global value is read once per tile instead of once per output.
    /// </summary>
    public static void TiledGemm(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape s)
    {
        int tx = Group.IdxX; // column within the tile
        int ty = Group.IdxY; // row within the tile
        int column = (Grid.IdxX * Tile) + tx;
        int row = (Grid.IdxY * Tile) + ty;
        var aTile = SharedMemory.Allocate<float>(Tile * Tile);
        var bTile = SharedMemory.Allocate<float>(Tile * Tile);

        float sum = 0;
        for (int p0 = 0; p0 < s.K; p0 += Tile)
        {
            int ap = p0 + tx;
            aTile[(ty * Tile) + tx] = row < s.M && ap < s.K ? a[(row * s.ARow) + (ap * s.ACol)] : 0f;
            int bp = p0 + ty;
            bTile[(ty * Tile) + tx] = bp < s.K && column < s.N ? b[(bp * s.BRow) + (column * s.BCol)] : 0f;
            Group.Barrier();

            for (int q = 0; q < Tile; q++)
            {
                sum += aTile[(ty * Tile) + q] * bTile[(q * Tile) + tx];
            }

            Group.Barrier();
        }

        if (row < s.M && column < s.N)
        {
            int index = (row * s.N) + column;
            c[index] = s.Accumulate != 0 ? c[index] + sum : sum;
        }
    }

    public static void AddBias(Index1D index, ArrayView<float> matrix, ArrayView<float> bias, int columns) =>
        matrix[index] += bias[index % columns];

    public static void SumRows(Index1D column, ArrayView<float> matrix, ArrayView<float> sums, int rows, int columns, int accumulate)
    {
        float sum = accumulate != 0 ? sums[column] : 0f;
        for (int r = 0; r < rows; r++)
        {
            sum += matrix[(r * columns) + column];
        }

        sums[column] = sum;
    }

    public static void Activate(Index1D index, ArrayView<float> pre, ArrayView<float> post, int activation) =>
        post[index] = Value(activation, pre[index]);

    public static void ActivationBackward(Index1D index, ArrayView<float> pre, ArrayView<float> gradOut, ArrayView<float> gradPre, int activation) =>
        gradPre[index] = gradOut[index] * Derivative(activation, pre[index]);

    private static float Value(int activation, float z)
    {
        switch ((Activation)activation)
        {
            case Activation.Relu:
                return z < 0 ? 0f : z; // NaN passes through, as on the CPU
            case Activation.LeakyRelu:
                return z > 0 ? z : ActivationFunctions.LeakySlope * z;
            case Activation.Tanh:
                return Tanh(z);
            case Activation.Sigmoid:
                return 1f / (1f + MathF.Exp(-z));
            case Activation.Gelu:
                return 0.5f * z * (1f + Tanh(0.7978845608028654f * (z + (0.044715f * z * z * z))));
            default:
                return z;
        }
    }

    private static float Derivative(int activation, float z)
    {
        switch ((Activation)activation)
        {
            case Activation.Relu:
                return z > 0 ? 1f : 0f;
            case Activation.LeakyRelu:
                return z > 0 ? 1f : ActivationFunctions.LeakySlope;
            case Activation.Tanh:
                float t = Tanh(z);
                return 1f - (t * t);
            case Activation.Sigmoid:
                float s = 1f / (1f + MathF.Exp(-z));
                return s * (1f - s);
            case Activation.Gelu:
                const float c = 0.7978845608028654f;
                float u = Tanh(c * (z + (0.044715f * z * z * z)));
                return (0.5f * (1f + u)) + (0.5f * z * (1f - (u * u)) * c * (1f + (3f * 0.044715f * z * z)));
            default:
                return 1f;
        }
    }

    /// <summary>tanh through exp, clamped where exp would overflow.</summary>
    private static float Tanh(float z)
    {
        if (z > 15f)
        {
            return 1f;
        }

        if (z < -15f)
        {
            return -1f;
        }

        float e = MathF.Exp(2f * z);
        return (e - 1f) / (e + 1f);
    }
}
