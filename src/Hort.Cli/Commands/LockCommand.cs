using System.CommandLine;
using Hort.Cli.Output;
using Hort.Repository.Retention;

namespace Hort.Cli.Commands;

/// <summary><c>hort lock show | set --days N</c>: the history lock, which forbids forgetting young snapshots.</summary>
internal static class LockCommand
{
    private static readonly Option<int> Days = new("--days") { Description = "Lock this many days of history (0 removes the lock)", Required = true };

    public static Command Create()
    {
        var show = new Command("show", "Show the history lock in force and any pending change");
        CommandAction.Set(show, (ctx, ct) => RunAsync(ctx, null, ct));
        var set = new Command("set", "Raise (at once) or lower (after the current lock period) the history lock") { Days };
        CommandAction.Set(set, (ctx, ct) => RunAsync(ctx, ctx.Parse.GetValue(Days), ct));
        return new Command("lock", "The history lock: no snapshot younger than N days can be forgotten, by anyone") { show, set };
    }

    private static async Task<int> RunAsync(CliContext ctx, int? days, CancellationToken ct)
    {
        if (days is < 0 or > HistoryLock.MaxDays)
        {
            throw new CliException($"--days must be 0 to {HistoryLock.MaxDays}", ExitCodes.Usage);
        }

        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
        var before = await repo.ReadHistoryLockAsync(ct).ConfigureAwait(false);
        var state = days is { } d
            ? await repo.SetHistoryLockAsync(d, Environment.MachineName, Environment.UserName, ct).ConfigureAwait(false)
            : before;

        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new HistoryLockMessage(
                state.EffectiveDays, state.RequestedDays, state.LowersAt,
                Records: state.Records.Select(r => new HistoryLockRecordEntry(r.Days, r.Requested, r.Hostname, r.Username)).ToArray()),
                CliJsonContext.Default.HistoryLockMessage);
            return ExitCodes.Ok;
        }

        ctx.Out.WriteLine(state.EffectiveDays == 0
            ? "history lock: off"
            : $"history lock: {state.EffectiveDays} day(s) in force — no snapshot younger than that can be forgotten");
        if (state.LowersAt is { } at && state.RequestedDays < state.EffectiveDays)
        {
            ctx.Out.WriteLine($"requested: {state.RequestedDays} day(s), in force from {Units.Time(at)} (a lowering waits for the period locked before)");
        }

        if (days is { } asked && asked < before.EffectiveDays)
        {
            ctx.Warn($"note: lowering takes effect at {(state.LowersAt is { } l ? Units.Time(l) : "the end of the current lock period")}, not now");
        }

        return ExitCodes.Ok;
    }
}
