using System.Net.Sockets;
using Hort.Core;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Hort.Server.Notifications;

/// <summary>An e-mail could not be sent; the message says why in words an administrator can act on.</summary>
public sealed class MailDeliveryException(string message, Exception? inner = null) : HortException(message, inner);

/// <summary>An e-mail's subject and its body as plain text and as simple HTML.</summary>
public sealed record MailContent(string Subject, string Text, string Html);

/// <summary>Sends e-mail over SMTP (MailKit) with the stored settings; every failure becomes a <see cref="MailDeliveryException"/>.</summary>
public sealed partial class MailSender(NotificationSettingsStore store, TimeProvider time, ILogger<MailSender> log)
{
    /// <summary>How long one SMTP operation (connect, login, send) may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Sends to the configured recipients with the stored settings.</summary>
    public async Task SendAsync(MailContent content, CancellationToken cancellationToken)
    {
        var (settings, password) = await store.ForSendingAsync(cancellationToken).ConfigureAwait(false);
        if (!settings.MailEnabled)
            throw new MailDeliveryException("e-mail is not set up: set the SMTP server, the sender and at least one recipient on the Settings page");
        await SendAsync(settings, password, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the test e-mail with <paramref name="settings"/> (saved or not) to their recipients; a null
    /// <paramref name="password"/> uses the stored one.
    /// </summary>
    public async Task SendTestAsync(NotificationSettings settings, string? password, CancellationToken cancellationToken)
    {
        var problems = settings.Problems();
        if (problems.Count > 0) throw new MailDeliveryException(string.Join("; ", problems));
        if (!settings.MailEnabled) throw new MailDeliveryException("set the SMTP server, the sender and at least one recipient first");
        password ??= (await store.ForSendingAsync(cancellationToken).ConfigureAwait(false)).Password;
        var t = new MailTexts(settings.Language, time.LocalTimeZone);
        await SendAsync(settings, password, MailTexts.Compose(t["test.subject"], t["test.body"], [], null), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends to the settings' recipients with the given settings and password.</summary>
    public async Task SendAsync(NotificationSettings settings, string? password, MailContent content, CancellationToken cancellationToken)
    {
        var message = new MimeMessage { Subject = content.Subject, Date = time.GetUtcNow() };
        message.From.Add(MailboxAddress.Parse(settings.From));
        foreach (var recipient in settings.Recipients) message.To.Add(MailboxAddress.Parse(recipient));
        message.Body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html }.ToMessageBody();

        var endpoint = $"{settings.SmtpHost}:{settings.SmtpPort}";
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            var security = settings.SmtpSecurity switch
            {
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, security, cancellationToken).ConfigureAwait(false);
            if (settings.SmtpUser.Length > 0)
            {
                await client.AuthenticateAsync(settings.SmtpUser, password ?? "", cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Describe(e, endpoint, settings) is { } reason && !cancellationToken.IsCancellationRequested)
        {
            LogSendFailed(log, endpoint, reason);
            throw new MailDeliveryException(reason, e);
        }

        LogSent(log, content.Subject, settings.Recipients.Count, endpoint);
    }

    /// <summary>What went wrong, in one sentence; null for exceptions that are not about sending (they pass through).</summary>
    internal static string? Describe(Exception e, string endpoint, NotificationSettings settings) => e switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
            $"cannot connect to the SMTP server {endpoint}: connection refused (is the host and port right, and is the server running?)",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
            $"the SMTP server {settings.SmtpHost} is not known: its name does not resolve",
        SocketException { SocketErrorCode: SocketError.TimedOut } or TimeoutException =>
            $"the SMTP server {endpoint} did not answer within {Timeout.TotalSeconds:0} seconds",
        SocketException s => $"cannot connect to the SMTP server {endpoint}: {s.Message}",
        AuthenticationException a => $"the SMTP server {endpoint} refused the user name or password: {a.Message}",
        SslHandshakeException h => $"the TLS handshake with the SMTP server {endpoint} failed (wrong security setting for this port, or a certificate this machine does not trust): {FirstLine(h.Message)}",
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } c =>
            $"the SMTP server {endpoint} refused the recipient {c.Mailbox}: {(int)c.StatusCode} {c.Message}",
        SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted } c =>
            $"the SMTP server {endpoint} refused the sender {c.Mailbox}: {(int)c.StatusCode} {c.Message}",
        SmtpCommandException c => $"the SMTP server {endpoint} refused the message: {(int)c.StatusCode} {c.Message}",
        SmtpProtocolException p => $"the SMTP server {endpoint} did not follow the protocol (wrong security setting for this port?): {p.Message}",
        NotSupportedException n => $"the SMTP server {endpoint}: {n.Message}",
        ServiceNotConnectedException or IOException => $"the connection to the SMTP server {endpoint} broke: {e.Message}",
        _ => null,
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    [LoggerMessage(EventId = 760, Level = LogLevel.Information, Message = "e-mail '{Subject}' sent to {Recipients} recipient(s) through {Endpoint}")]
    private static partial void LogSent(ILogger logger, string subject, int recipients, string endpoint);

    [LoggerMessage(EventId = 761, Level = LogLevel.Warning, Message = "sending e-mail through {Endpoint} failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string endpoint, string reason);
}
