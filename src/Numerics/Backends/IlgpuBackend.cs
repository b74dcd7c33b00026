using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Backends;

/// <summary>
/// The ILGPU backend: the same operations as device kernels (shared-memory tiled GEMM, element-wise kernels) on a
/// CUDA GPU, or on ILGPU's CPU accelerator, which runs the very same kernels without a GPU (slowly: for tests).
/// Operations take host spans, so each call copies its operands to the device and the result back; calls are
/// serialised on one accelerator stream, which makes the backend thread-safe.
/// </summary>
public sealed class IlgpuBackend : IComputeBackend, IDisposable
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly object _gate = new();
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _gemm;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _addBias;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> _sumRows;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _activate;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _activationBackward;
    private readonly DeviceBuffer[] _buffers = [new(), new(), new(), new()];
    private bool _disposed;

    private IlgpuBackend(Context context, Accelerator accelerator, string name)
    {
        _context = context;
        _accelerator = accelerator;
        Name = name;
        _gemm = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(IlgpuKernels.TiledGemm);
        _addBias = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.AddBias);
        _sumRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(IlgpuKernels.SumRows);
        _activate = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.Activate);
        _activationBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.ActivationBackward);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The device the kernels run on, in words.</summary>
    public string DeviceName => _accelerator.Name;

    /// <summary>Whether a CUDA device is present (a CUDA context with no device is cheap to create and answers no).</summary>
    public static bool IsCudaAvailable()
    {
        try
        {
            using var context = Context.Create(builder => builder.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
#pragma warning disable CA1031 // a missing or broken CUDA driver means "no CUDA", whatever it throws
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>A backend on the first CUDA device; throws <see cref="InvalidOperationException"/> when there is none.</summary>
    public static IlgpuBackend CreateCuda()
    {
        var context = Context.Create(builder => builder.Cuda());
        if (context.GetCudaDevices().Count == 0)
        {
            context.Dispose();
            throw new InvalidOperationException("No CUDA device is available.");
        }

        return new IlgpuBackend(context, context.CreateCudaAccelerator(0), "cuda");
    }

    /// <summary>
    /// A backend on ILGPU's CPU accelerator, simulating a CUDA-like device (warp 32, groups large enough for the
    /// 16×16 GEMM tile), which runs the device kernels on host threads: for tests, not for speed.
    /// </summary>
    public static IlgpuBackend CreateCpuSimulator()
    {
        var context = Context.Create(builder => builder.CPU(CPUDeviceKind.Nvidia));
        return new IlgpuBackend(context, context.CreateCPUAccelerator(0), "ilgpu-cpu");
    }

    /// <inheritdoc />
    public void MatMul(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        lock (_gate)
        {
            var deviceA = Upload(0, a[..(m * k)]);
            var deviceB = Upload(1, b[..(k * n)]);
            var deviceC = accumulate ? Upload(2, c[..(m * n)]) : Reserve(2, m * n);
            var shape = new GemmShape(
                m, k, n, transposeA ? 1 : k, transposeA ? m : 1, transposeB ? 1 : n, transposeB ? k : 1, accumulate ? 1 : 0);
            var groups = new Index2D((n + IlgpuKernels.Tile - 1) / IlgpuKernels.Tile, (m + IlgpuKernels.Tile - 1) / IlgpuKernels.Tile);
            _gemm(new KernelConfig(groups, new Index2D(IlgpuKernels.Tile, IlgpuKernels.Tile)), deviceA, deviceB, deviceC, shape);
            Download(deviceC, c[..(m * n)]);
        }
    }

    /// <inheritdoc />
    public void AddBias(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns)
    {
        int count = rows * columns;
        if (count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var deviceMatrix = Upload(0, matrix[..count]);
            var deviceBias = Upload(1, bias[..columns]);
            _addBias(count, deviceMatrix, deviceBias, columns);
            Download(deviceMatrix, matrix[..count]);
        }
    }

    /// <inheritdoc />
    public void SumRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums, bool accumulate)
    {
        if (columns == 0)
        {
            return;
        }

        lock (_gate)
        {
            var deviceMatrix = Upload(0, matrix[..(rows * columns)]);
            var deviceSums = accumulate ? Upload(1, sums[..columns]) : Reserve(1, columns);
            _sumRows(columns, deviceMatrix, deviceSums, rows, columns, accumulate ? 1 : 0);
            Download(deviceSums, sums[..columns]);
        }
    }

    /// <inheritdoc />
    public void Activate(Activation activation, ReadOnlySpan<float> preActivation, Span<float> activated)
    {
        int count = preActivation.Length;
        if (count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var devicePre = Upload(0, preActivation);
            var devicePost = Reserve(1, count);
            _activate(count, devicePre, devicePost, (int)activation);
            Download(devicePost, activated[..count]);
        }
    }

    /// <inheritdoc />
    public void ActivationBackward(
        Activation activation, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> activated, ReadOnlySpan<float> gradOut, Span<float> gradPre)
    {
        int count = preActivation.Length;
        if (count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var devicePre = Upload(0, preActivation);
            var deviceGradOut = Upload(1, gradOut[..count]);
            var deviceGradPre = Reserve(2, count);
            _activationBackward(count, devicePre, deviceGradOut, deviceGradPre, (int)activation);
            Download(deviceGradPre, gradPre[..count]);
        }
    }

    /// <summary>Releases the device memory, the accelerator and the ILGPU context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var buffer in _buffers)
            {
                buffer.Dispose();
            }

            _accelerator.Dispose();
            _context.Dispose();
        }
    }

    private ArrayView1D<float, Stride1D.Dense> Reserve(int slot, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _buffers[slot].Get(_accelerator, length);
    }

    private ArrayView1D<float, Stride1D.Dense> Upload(int slot, ReadOnlySpan<float> values)
    {
        var view = Reserve(slot, values.Length);
        if (!values.IsEmpty)
        {
            view.SubView(0, values.Length).CopyFromCPU(_accelerator.DefaultStream, values);
        }

        return view;
    }

    private void Download(ArrayView1D<float, Stride1D.Dense> view, Span<float> destination)
    {
        _accelerator.Synchronize();
        view.SubView(0, destination.Length).CopyToCPU(_accelerator.DefaultStream, destination);
        _accelerator.DefaultStream.Synchronize();
    }

    /// <summary>A grow-only device allocation reused across calls (device allocation is slow).</summary>
    private sealed class DeviceBuffer : IDisposable
    {
        private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;

        public ArrayView1D<float, Stride1D.Dense> Get(Accelerator accelerator, int length)
        {
            if (_buffer is null || _buffer.Length < length)
            {
                _buffer?.Dispose();
                _buffer = accelerator.Allocate1D<float>(Math.Max(length, 1));
            }

            return _buffer.View;
        }

        public void Dispose() => _buffer?.Dispose();
    }
}
