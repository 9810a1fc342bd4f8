namespace Hort.Protocol;

/// <summary>Every route of API version 1, as ASP.NET-style templates (<c>{pcId}</c> etc.).</summary>
public static class Routes
{
    public const string Prefix = "/api/v1";

    public const string Status = Prefix + "/status";
    public const string Setup = Prefix + "/setup";
    public const string Login = Prefix + "/auth/login";
    public const string Logout = Prefix + "/auth/logout";

    public const string Pcs = Prefix + "/pcs";
    public const string Pc = Pcs + "/{pcId}";
    public const string PcRevoke = Pc + "/revoke";
    public const string PcSnapshots = Pc + "/snapshots";
    public const string PcPolicy = Pc + "/policy";
    public const string PcBackups = Pc + "/backups";
    public const string PcRestores = Pc + "/restores";

    public const string Groups = Prefix + "/groups";
    public const string Group = Groups + "/{groupId}";
    public const string GroupPolicy = Group + "/policy";
    public const string DefaultPolicy = Prefix + "/policies/default";

    public const string EnrollmentCodes = Prefix + "/enrollment-codes";
    public const string EnrollmentCode = EnrollmentCodes + "/{codeId}";

    public const string Jobs = Prefix + "/jobs";
    public const string Job = Jobs + "/{jobId}";
    public const string JobLog = Job + "/log";
    public const string JobCancel = Job + "/cancel";

    public const string Audit = Prefix + "/audit";

    public const string ServerCertificate = Prefix + "/server/certificate";
    public const string ServerCertificateNext = ServerCertificate + "/next";
    public const string ServerCertificateSwitch = ServerCertificate + "/switch";
    public const string Alerts = Prefix + "/alerts";
    public const string AlertAcknowledge = Alerts + "/{alertId}/acknowledge";
    public const string Maintenance = Prefix + "/maintenance";
    public const string MaintenanceRun = Maintenance + "/{kind}/run";

    /// <summary>Everything under this prefix is for agent credentials only.</summary>
    public const string AgentPrefix = Prefix + "/agent";
    public const string Enroll = AgentPrefix + "/enroll";
    public const string AgentConfig = AgentPrefix + "/config";
    public const string AgentCommands = AgentPrefix + "/commands";
    public const string AgentJobs = AgentPrefix + "/jobs";
    public const string AgentJobProgress = AgentJobs + "/{jobId}/progress";
    public const string AgentJobLog = AgentJobs + "/{jobId}/log";
    public const string AgentJobResult = AgentJobs + "/{jobId}/result";
    public const string AgentSnapshots = AgentPrefix + "/snapshots";
    public const string AgentBlob = AgentPrefix + "/blobs/{blobType}/{blobId}";
    public const string AgentBlobSizes = AgentPrefix + "/blobs/sizes";
    public const string AgentBlobRead = AgentPrefix + "/blobs/read";
    public const string Sessions = AgentPrefix + "/sessions";
    public const string Session = Sessions + "/{sessionId}";
    public const string SessionKnown = Session + "/known";
    public const string SessionBlob = Session + "/blobs/{blobType}/{blobId}";
    public const string SessionBlobs = Session + "/blobs/{blobType}";
    public const string SessionCheckpoint = Session + "/checkpoint";
    public const string SessionCommit = Session + "/commit";

    /// <summary>The OpenAPI document.</summary>
    public const string OpenApiDocument = "/openapi/v1.json";

    /// <summary>Fills a template's placeholders in order, escaping each value.</summary>
    public static string Format(string template, params string[] values)
    {
        var result = new System.Text.StringBuilder(template.Length + 64);
        var next = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                result.Append(template[i]);
                continue;
            }

            var close = template.IndexOf('}', i);
            if (next >= values.Length)
            {
                throw new ArgumentException($"route '{template}' needs more than {values.Length} values", nameof(values));
            }

            result.Append(Uri.EscapeDataString(values[next++]));
            i = close;
        }

        return next == values.Length
            ? result.ToString()
            : throw new ArgumentException($"route '{template}' takes {next} values, got {values.Length}", nameof(values));
    }
}
