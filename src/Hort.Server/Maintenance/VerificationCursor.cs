using System.Text.Json;
using Hort.Core;

namespace Hort.Server.Maintenance;

/// <summary>
/// Where the next scheduled verification continues reading data: <c>&lt;data&gt;/verify-state.json</c>, in the form
/// <c>hort check</c> keeps its own cursor (format spec 11.6). Losing the file only restarts the rotation.
/// </summary>
public sealed class VerificationCursor(string path)
{
    public string Path { get; } = path;

    /// <summary>The pack the last run read last, or null (no file, or one that cannot be read).</summary>
    public ObjectId? Read()
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path));
            return document.RootElement.TryGetProperty("read_data_cursor", out var cursor) && ObjectId.TryParse(cursor.GetString(), out var id)
                ? id
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Saves the cursor atomically (a new file renamed over the old one).</summary>
    public void Write(ObjectId cursor, DateTimeOffset now)
    {
        var temporary = Path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("read_data_cursor", cursor.ToString());
            json.WriteString("updated", now);
            json.WriteEndObject();
        }

        File.Move(temporary, Path, overwrite: true);
    }
}
