namespace Pipeline.Tabular.Schema;

/// <summary>What a column holds, inferred from all its values.</summary>
public enum ColumnKind
{
    /// <summary>No value at all.</summary>
    Empty = 0,
    Numeric = 1,
    /// <summary>true/false, yes/no (0/1 counts as numeric).</summary>
    Boolean = 2,
    /// <summary>ISO-like dates (yyyy-MM-dd, optionally with a time).</summary>
    Date = 3,
    Categorical = 4,
}
