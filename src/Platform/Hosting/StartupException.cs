using System.Net.Sockets;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// A configuration or connectivity problem found while starting: its message is one line naming the setting
/// and the address, meant to be printed as is (no stack trace) before exiting non-zero.
/// </summary>
public sealed class StartupException : Exception
{
    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public StartupException()
    {
    }

    public static StartupException ForDatabase(string? connectionString, Exception ex)
    {
        var target = DescribeConnectionString(connectionString);
        return new StartupException($"Cannot use the database at {target} (setting Pipeline:Database:ConnectionString): {Innermost(ex)}", ex);
    }

    /// <summary>The innermost message, which is the one that says what actually went wrong.</summary>
    public static string Innermost(Exception ex)
    {
        var e = ex;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        var message = e is SocketException s ? $"{s.SocketErrorCode}: {s.Message}" : e.Message;
        return message.ReplaceLineEndings(" ").Trim();
    }

    // Host, port and database only: never echo the password.
    private static string DescribeConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "(no connection string)";
        }

        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        string? Get(string key) => builder.TryGetValue(key, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;
        var dataSource = Get("Data Source");
        if (dataSource is not null)
        {
            return $"'{dataSource}'";
        }

        return $"{Get("Host") ?? "localhost"}:{Get("Port") ?? "5432"}/{Get("Database") ?? "?"} as {Get("Username") ?? "?"}";
    }
}
