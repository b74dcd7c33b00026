namespace Pipeline.Numerics.Backends;

/// <summary>
/// Shape and strides of one device multiply, passed to the ILGPU kernel by value: op(A)(i,p) = a[i·ARow + p·ACol],
/// op(B)(p,j) = b[p·BRow + j·BCol], C row-major m×n.
/// </summary>
internal readonly record struct GemmShape(int M, int K, int N, int ARow, int ACol, int BRow, int BCol, int Accumulate);
