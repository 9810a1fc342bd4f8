using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Hort.Server.Tests.Notifications;

/// <summary>
/// The SMTP sink the e-mail tests send to: the one scripts/test.sh started (HORT_TEST_SMTP_PORT, HORT_TEST_SMTP_DIR),
/// else scripts/smtp-sink.py started here, so <c>dotnet test</c> alone works. Tests share it; each test sends to
/// addresses of its own (<see cref="NewAddress"/>) and reads only the messages to them.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    public const string PortVariable = "HORT_TEST_SMTP_PORT";
    public const string DirectoryVariable = "HORT_TEST_SMTP_DIR";

    private static readonly SemaphoreSlim SharedLock = new(1, 1);
    private static SmtpSink? _shared;
    private Process? _process;

    private SmtpSink(int port, string directory, Process? process)
    {
        Port = port;
        Directory = directory;
        _process = process;
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>The sink shared by all tests of this run.</summary>
    public static async Task<SmtpSink> SharedAsync()
    {
        await SharedLock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_shared is not null) return _shared;
            if (Environment.GetEnvironmentVariable(PortVariable) is { Length: > 0 } port
                && Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory)
            {
                _shared = new SmtpSink(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), directory, null);
            }
            else
            {
                _shared = await StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _shared.Kill();
            }

            return _shared;
        }
        finally
        {
            SharedLock.Release();
        }
    }

    /// <summary>A sink of the test's own (to stop and start again), on <paramref name="port"/> or a free port.</summary>
    public static async Task<SmtpSink> StartAsync(int port = 0, string? directory = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("hort-smtp-").FullName;
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Script(), "--dir", directory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        if (line is null || !line.StartsWith("smtp-sink listening on ", StringComparison.Ordinal))
        {
            var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            process.Dispose();
            throw new InvalidOperationException($"the SMTP sink did not start: {line} {error}");
        }

        return new SmtpSink(int.Parse(line[(line.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture), directory, process);
    }

    /// <summary>A loopback port nothing listens on (just now).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An address no other test uses.</summary>
    public static string NewAddress() => $"t{Guid.NewGuid():N}@hort.test";

    /// <summary>The messages received so far that went to <paramref name="address"/>.</summary>
    public IReadOnlyList<MimeMessage> MessagesTo(string address)
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var found = new List<MimeMessage>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.eml").Order(StringComparer.Ordinal))
        {
            var message = MimeMessage.Load(file);
            if (message.To.Mailboxes.Any(m => string.Equals(m.Address, address, StringComparison.OrdinalIgnoreCase))) found.Add(message);
        }

        return found;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages to <paramref name="address"/> arrived (or 30 s passed); returns them all.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string address, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var messages = MessagesTo(address);
            if (messages.Count >= count || DateTime.UtcNow > deadline) return messages;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private void Kill()
    {
        if (_process is null) return;
        try
        {
            _process.Kill();
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "scripts", "smtp-sink.py");
            if (File.Exists(script)) return script;
        }

        throw new FileNotFoundException($"no scripts/smtp-sink.py above {AppContext.BaseDirectory}");
    }
}
