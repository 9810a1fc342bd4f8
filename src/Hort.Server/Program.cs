using Hort.Core;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server;

/// <summary>The hortd command line: run the server, or rebuild its catalog.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(OptionsLoader.Usage);
            return 0;
        }

        if (args is ["--version"])
        {
            Console.WriteLine("hortd " + typeof(Program).Assembly.GetName().Version?.ToString(3));
            return 0;
        }

        HortdOptions options;
        CommandLine commandLine;
        try
        {
            commandLine = OptionsLoader.Parse(args);
            options = OptionsLoader.Load(commandLine);
        }
        catch (HortException e)
        {
            await Console.Error.WriteLineAsync("hortd: " + e.Message).ConfigureAwait(false);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            if (commandLine.Verb == "rebuild-catalog")
            {
                var result = await CatalogRebuild.RunAsync(options, Console.Out, TimeProvider.System, stop.Token).ConfigureAwait(false);
                Console.WriteLine($"hortd: catalog rebuilt: {result.Pcs} PCs, {result.Snapshots} snapshots, {result.KnownBlobs} known blobs");
                return 0;
            }

            await using var host = await ServerHost.CreateAsync(options, Console.Out, TimeProvider.System, stop.Token).ConfigureAwait(false);
            await host.StartAsync(Console.Out, stop.Token).ConfigureAwait(false);
            await host.WaitForShutdownAsync(stop.Token).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
        catch (HortException e)
        {
            await Console.Error.WriteLineAsync("hortd: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync("hortd: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
