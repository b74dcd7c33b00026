namespace Pipeline.Tabular.Schema;

/// <summary>The type a typed file (Parquet) declares for a column; a CSV file declares none.</summary>
public enum DeclaredType
{
    Number,
    Boolean,
    Date,
    Text,
}
