using BenchmarkDotNet.Running;

namespace Hort.Benchmarks;

/// <summary>
/// Micro-benchmarks of Hort's hot paths. <c>index-memory [count]</c> loads an index of <c>count</c> blobs (default
/// 10 million) and prints what it costs per blob; anything else goes to BenchmarkDotNet (e.g. <c>--filter *Chunker*</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "index-memory")
        {
            return IndexMemory.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
