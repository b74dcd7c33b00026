namespace Pipeline.Platform.Messaging.Outages;

/// <summary>Looks through an exception's wrappers (inner exceptions, aggregates) for one of a kind.</summary>
public static class ExceptionChain
{
    /// <summary>Whether <paramref name="exception"/>, one it wraps or one of an aggregate's is a <typeparamref name="TException"/> (matching <paramref name="where"/>).</summary>
    public static bool Contains<TException>(Exception exception, Func<TException, bool>? where = null)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is TException match && (where is null || where(match)))
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(inner => Contains(inner, where)))
            {
                return true;
            }
        }

        return false;
    }
}
