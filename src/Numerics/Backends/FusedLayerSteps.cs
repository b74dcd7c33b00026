using System.Numerics;
using System.Runtime.CompilerServices;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Backends;

/// <summary>
/// Single-loop forms of a layer's element-wise steps for relu and leaky relu, the activations wide networks use:
/// one read of each matrix instead of one per operation. Every value is computed with the same arithmetic as
/// <see cref="CpuBackend.AddBias"/>, <see cref="ActivationFunctions"/> and <see cref="CpuBackend.SumRows"/>
/// (the tests hold them to bit equality), so fusing changes speed only.
/// </summary>
internal static unsafe class FusedLayerSteps
{
    /// <summary>z[r, j] += bias[j]; a = z &lt; 0 ? 0 : z (relu) or max(z, slope·z) (leaky relu).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBiasRectify(float* z, float* bias, float* a, int rows, int columns, bool leaky)
    {
        int width = Vector<float>.Count;
        var slope = new Vector<float>(ActivationFunctions.LeakySlope);
        for (int r = 0; r < rows; r++)
        {
            float* zRow = z + ((long)r * columns);
            float* aRow = a + ((long)r * columns);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j <= columns - width; j += width)
                {
                    var x = Vector.Load(zRow + j) + Vector.Load(bias + j);
                    x.Store(zRow + j);
                    var y = leaky ? Vector.Max(x, x * slope) : Vector.AndNot(x, Vector.LessThan<float>(x, Vector<float>.Zero));
                    y.Store(aRow + j);
                }
            }

            for (; j < columns; j++)
            {
                float x = zRow[j] + bias[j];
                zRow[j] = x;
                aRow[j] = leaky ? Math.Max(x, x * ActivationFunctions.LeakySlope) : x < 0 ? 0 : x;
            }
        }
    }

    /// <summary>
    /// d = z &gt; 0 ? g : slope·g (relu: slope 0) and sums[j] = Σ_r d[r, j], rows in order onto zero. d may be g.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RectifyBackwardSumRows(float* z, float* g, float* d, float* sums, int rows, int columns, float slope)
    {
        new Span<float>(sums, columns).Clear();
        int width = Vector<float>.Count;
        var negativeSlope = new Vector<float>(slope);
        for (int r = 0; r < rows; r++)
        {
            long offset = (long)r * columns;
            float* zRow = z + offset;
            float* gRow = g + offset;
            float* dRow = d + offset;
            int j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j <= columns - width; j += width)
                {
                    var gradient = Vector.Load(gRow + j);
                    var value = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(zRow + j), Vector<float>.Zero), gradient, gradient * negativeSlope);
                    value.Store(dRow + j);
                    (Vector.Load(sums + j) + value).Store(sums + j);
                }
            }

            for (; j < columns; j++)
            {
                float value = zRow[j] > 0 ? gRow[j] : gRow[j] * slope;
                dRow[j] = value;
                sums[j] += value;
            }
        }
    }
}
