namespace Hort.Cli.Output;

/// <summary>An <see cref="IProgress{T}"/> that calls back at once on the reporting thread (no synchronization context).</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
