using System.Globalization;

namespace Pipeline.Cli;

/// <summary>A wrong option: reported as one line plus the verb's usage, exit code 64.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
        : base("invalid usage")
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// A command that cannot go on for a reason the user can act on (an ambiguous job id, an unreadable input file):
/// reported as one line, without the usage text, with <see cref="ExitCode"/>.
/// </summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException()
        : this("the command failed", ExitCodes.Failed)
    {
    }

    public CommandFailedException(string message)
        : this(message, ExitCodes.Failed)
    {
    }

    public CommandFailedException(string message, Exception inner)
        : base(message, inner) => ExitCode = ExitCodes.Failed;

    public CommandFailedException(string message, int exitCode)
        : base(message) => ExitCode = exitCode;

    public int ExitCode { get; }
}

/// <summary>
/// Parsed options of one verb: <c>--name value</c> pairs and <c>--flag</c>s, checked against the verb's known
/// options so a typo is an error rather than silently ignored.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private CommandLine(string verb) => Verb = verb;

    public string Verb { get; }

    public List<string> Positionals { get; } = [];

    public bool Help => _options.ContainsKey("--help");

    public static CommandLine Parse(string verb, IReadOnlyList<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flags)
    {
        var line = new CommandLine(verb);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                line._options["--help"] = null;
            }
            else if (flags.Contains(arg))
            {
                line._options[arg] = null;
            }
            else if (valueOptions.Contains(arg))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"{arg} needs a value.");
                }

                line._options[arg] = args[++i];
            }
            else if (arg.StartsWith('-'))
            {
                throw new UsageException($"unknown option '{arg}' for '{verb}'.");
            }
            else
            {
                line.Positionals.Add(arg);
            }
        }

        return line;
    }

    public bool Flag(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.GetValueOrDefault(name);

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Value(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
        }

        return value;
    }
}
