namespace Hort.Core;

/// <summary>Base of Hort's domain errors; the message is a complete sentence fit to show a user.</summary>
public class HortException : Exception
{
    public HortException(string message) : base(message) { }

    public HortException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>A stored object failed authentication, decoding or its hash check. Names the object.</summary>
public sealed class RepositoryCorruptException : HortException
{
    public RepositoryCorruptException(string objectName, string problem, Exception? inner = null)
        : base($"{objectName}: {problem}", inner)
    {
        ObjectName = objectName;
        Problem = problem;
    }

    /// <summary>The damaged object, e.g. "data/ab/ab12…" or "blob 3f2a… in pack ab12…".</summary>
    public string ObjectName { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}

/// <summary>No key in the repository opens with the given password.</summary>
public sealed class WrongPasswordException : HortException
{
    public WrongPasswordException() : base("wrong password or no key found for it") { }
}

/// <summary>The repository was written by a format version this program does not know.</summary>
public sealed class UnsupportedFormatException : HortException
{
    public UnsupportedFormatException(string message) : base(message) { }
}

/// <summary>The location holds no repository, or one that cannot be read at all.</summary>
public sealed class RepositoryNotFoundException : HortException
{
    public RepositoryNotFoundException(string message) : base(message) { }
}

/// <summary>A requested object (snapshot, key, path) does not exist.</summary>
public sealed class NotFoundException : HortException
{
    public NotFoundException(string message) : base(message) { }
}
