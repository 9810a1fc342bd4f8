using System.CommandLine;
using Hort.Agent;

namespace Hort.Cli.Commands;

/// <summary><c>hort agent enroll|run|status</c>: this PC as a client of a Hort server (docs/agent.md).</summary>
internal static class AgentCommand
{
    private static readonly Option<string?> State = new("--state")
    {
        Description = "The agent's state folder; default /var/lib/hort-agent as root, else ~/.local/share/hort-agent",
        Recursive = true,
    };

    private static readonly Option<string> Server = new("--server") { Description = "The server's address, e.g. https://app1:8443", Required = true };
    private static readonly Option<string> Code = new("--code") { Description = "The one-time enrollment code from the administrator", Required = true };
    private static readonly Option<string?> Fingerprint = new("--fingerprint")
    {
        Description = "The SHA-256 fingerprint hortd printed (64 hex digits); without it the presented one is shown for confirmation",
    };

    private static readonly Option<long> LimitUpload = new("--limit-upload")
    {
        Description = "Keep uploads below this many KiB per second on average (0: no limit), to leave room on a slow line",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<long> LimitDownload = new("--limit-download")
    {
        Description = "Keep restore downloads below this many KiB per second on average (0: no limit)",
        DefaultValueFactory = _ => 0,
    };

    public static Command Create()
    {
        var enroll = new Command("enroll", "Enroll this PC with a server: pin its certificate and receive this PC's credential") { Server, Code, Fingerprint };
        CommandAction.Set(enroll, EnrollAsync);
        var run = new Command("run", "Run the agent: follow the policy, back up, restore on request (the systemd service runs this)") { LimitUpload, LimitDownload };
        CommandAction.Set(run, RunAsync);
        var status = new Command("status", "Show the enrollment and the last backup of this PC");
        CommandAction.Set(status, StatusAsync);
        var command = new Command("agent", "This PC as a client of a Hort server (hortd)") { State, enroll, run, status };
        return command;
    }

    private static AgentState StateOf(CliContext ctx) => new(ctx.Parse.GetValue(State) ?? AgentState.DefaultFolder());

    private static async Task<int> EnrollAsync(CliContext ctx, CancellationToken ct)
    {
        var state = StateOf(ctx);
        if (!Uri.TryCreate(ctx.Parse.GetValue(Server), UriKind.Absolute, out var server))
        {
            throw new CliException("--server must be an address like https://app1:8443", ExitCodes.Usage);
        }

        var fingerprint = ctx.Parse.GetValue(Fingerprint)?.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (fingerprint is null)
        {
            fingerprint = await PinnedHttp.PresentedFingerprintAsync(server, ct).ConfigureAwait(false);
            if (Console.IsInputRedirected)
            {
                throw new CliException($"the server presents the certificate {fingerprint}; compare it with the one hortd printed and pass it with --fingerprint");
            }

            ctx.Err.Write($"The server presents the certificate with SHA-256 fingerprint\n  {fingerprint}\nIs this the fingerprint hortd printed? [y/N] ");
            if (Console.ReadLine()?.Trim().ToLowerInvariant() is not ("y" or "yes")) throw new CliException("enrollment cancelled");
        }

        try
        {
            var identity = await Enrollment.EnrollAsync(state, server, ctx.Parse.GetValue(Code)!, fingerprint, ct).ConfigureAwait(false);
            ctx.Out.WriteLine($"enrolled as PC {identity.PcId} with {identity.Server}; state in {state.Folder}");
            ctx.Out.WriteLine("start the agent with 'hort agent run' (or the hort-agent systemd service)");
            return ExitCodes.Ok;
        }
        catch (AgentException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var state = StateOf(ctx);
        var upload = ctx.Parse.GetValue(LimitUpload);
        var download = ctx.Parse.GetValue(LimitDownload);
        if (upload is < 0 or > long.MaxValue / 1024 || download is < 0 or > long.MaxValue / 1024)
        {
            throw new CliException("--limit-upload and --limit-download must be 0 or a positive number of KiB per second", ExitCodes.Usage);
        }

        try
        {
            var service = new AgentService(state, ctx.Out, TimeProvider.System) { UploadBytesPerSecond = upload * 1024, DownloadBytesPerSecond = download * 1024 };
            await service.RunAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ctx.Out.WriteLine("agent stopped");
        }
        catch (AgentException e)
        {
            throw new CliException(e.Message);
        }

        return ExitCodes.Ok;
    }

    private static Task<int> StatusAsync(CliContext ctx, CancellationToken ct)
    {
        var state = StateOf(ctx);
        try
        {
            var identity = state.LoadIdentity();
            var progress = state.LoadProgress();
            ctx.Out.WriteLine($"server:        {identity.Server}");
            ctx.Out.WriteLine($"certificate:   {identity.Fingerprint}");
            ctx.Out.WriteLine($"PC:            {identity.PcId}");
            ctx.Out.WriteLine($"state folder:  {state.Folder}");
            ctx.Out.WriteLine($"last backup:   {(progress.LastSuccess is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") : "never")}");
            ctx.Out.WriteLine($"jobs running:  {(progress.ActiveJobs.Count == 0 ? "none" : string.Join(", ", progress.ActiveJobs.Select(j => $"{j.JobId} ({j.Kind})")))}");
            return Task.FromResult(ExitCodes.Ok);
        }
        catch (AgentException e)
        {
            throw new CliException(e.Message);
        }
    }
}
