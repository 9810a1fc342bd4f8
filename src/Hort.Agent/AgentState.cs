using System.Text.Json;
using System.Text.Json.Serialization;
using Hort.Protocol;

namespace Hort.Agent;

/// <summary>
/// What enrollment gave this PC: where the server is, the certificate it pinned, its credential and dedup keys; and the
/// next certificate the server announced (<see cref="CertificatePins"/>), if any.
/// </summary>
public sealed record AgentIdentity(string Server, string Fingerprint, string PcId, string Credential, DedupKeys Dedup, string? NextFingerprint = null);

/// <summary>A job the agent has started and not yet ended; a restart resumes it with the same job ID.</summary>
public sealed record ActiveJob(string JobId, string Kind, RestoreRequest? Restore);

/// <summary>What the agent remembers between runs: the last successful backup, the jobs in progress, handled commands.</summary>
public sealed record AgentProgressState
{
    public DateTimeOffset? LastSuccess { get; init; }

    /// <summary>Jobs that were running when the agent stopped; they are resumed at the next start.</summary>
    public IReadOnlyList<ActiveJob> ActiveJobs { get; init; } = [];

    /// <summary>The one job in progress as older agents wrote it; read once into <see cref="ActiveJobs"/>, never written.</summary>
    public string? ActiveJobId { get; init; }

    public string? ActiveJobKind { get; init; }

    public RestoreRequest? ActiveRestore { get; init; }

    /// <summary>Command IDs already handled (the newest few hundred), so a repeated command is ignored.</summary>
    public IReadOnlyList<string> HandledCommands { get; init; } = [];

    public const int RememberedCommands = 500;

    /// <summary>The same state with an older file's single active job moved into <see cref="ActiveJobs"/>.</summary>
    internal AgentProgressState Upgraded() => ActiveJobId is { } id
        ? this with
        {
            ActiveJobs = [.. ActiveJobs.Where(j => j.JobId != id), new ActiveJob(id, ActiveJobKind ?? JobValues.Backup, ActiveRestore)],
            ActiveJobId = null, ActiveJobKind = null, ActiveRestore = null,
        }
        : this;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentIdentity))]
[JsonSerializable(typeof(AgentProgressState))]
internal sealed partial class AgentJson : JsonSerializerContext;

/// <summary>
/// The agent's state folder (<c>/var/lib/hort-agent</c> as root, else <c>~/.local/share/hort-agent</c>): the identity
/// (<c>agent.json</c>) and the progress state (<c>state.json</c>), both written atomically with mode 0600 in a 0700 folder,
/// because the credential and the dedup keys are secrets.
/// </summary>
public sealed class AgentState(string folder)
{
    public const string IdentityFile = "agent.json";
    public const string ProgressFile = "state.json";

    public string Folder { get; } = folder;

    /// <summary>The default folder for this user.</summary>
    public static string DefaultFolder() => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root"
        ? "/var/lib/hort-agent"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "hort-agent");

    public bool IsEnrolled => File.Exists(Path.Combine(Folder, IdentityFile));

    public AgentIdentity LoadIdentity() =>
        Read(IdentityFile, AgentJson.Default.AgentIdentity)
        ?? throw new AgentException($"this PC is not enrolled (no {Path.Combine(Folder, IdentityFile)}); run 'hort agent enroll' first");

    public void SaveIdentity(AgentIdentity identity) => Write(IdentityFile, identity, AgentJson.Default.AgentIdentity);

    public AgentProgressState LoadProgress() => (Read(ProgressFile, AgentJson.Default.AgentProgressState) ?? new AgentProgressState()).Upgraded();

    public void SaveProgress(AgentProgressState state) => Write(ProgressFile, state, AgentJson.Default.AgentProgressState);

    private T? Read<T>(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var path = Path.Combine(Folder, name);
        if (!File.Exists(path)) return default;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), type);
        }
        catch (JsonException e)
        {
            throw new AgentException($"{path} is not valid: {e.Message}");
        }
    }

    private void Write<T>(string name, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the agent runs on Linux (Windows support follows)");
        Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(Folder, name);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(file, value, type);
            file.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>An agent error with a message fit to show the user.</summary>
public class AgentException(string message, Exception? inner = null) : Exception(message, inner);
