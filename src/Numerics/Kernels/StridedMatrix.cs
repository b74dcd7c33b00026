namespace Pipeline.Numerics.Kernels;

/// <summary>
/// A read-only matrix view: element (row, col) lives at <c>Data[row * RowStride + col * ColumnStride]</c>.
/// Describing transposes as strides lets one packing routine serve A·B, A·Bᵀ and Aᵀ·B.
/// </summary>
internal readonly unsafe struct StridedMatrix(float* data, long rowStride, long columnStride)
{
    public float* Data { get; } = data;

    public long RowStride { get; } = rowStride;

    public long ColumnStride { get; } = columnStride;

    public float* At(long row, long column) => Data + (row * RowStride) + (column * ColumnStride);
}
