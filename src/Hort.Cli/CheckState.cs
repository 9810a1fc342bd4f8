using System.Text.Json;
using Hort.Core;

namespace Hort.Cli;

/// <summary>
/// Where <c>check --read-data-subset=N%</c> continues: the last pack it read, kept per repository in
/// <c>$XDG_CACHE_HOME/hort/&lt;repository ID&gt;/check-state.json</c> (default <c>~/.cache</c>). Losing the file only
/// restarts the rotation; it holds no secret (pack names are hashes of encrypted bytes).
/// </summary>
internal static class CheckState
{
    public static string PathFor(ObjectId repositoryId)
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache) || !System.IO.Path.IsPathRooted(cache))
        {
            cache = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }

        return System.IO.Path.Combine(cache, "hort", repositoryId.ToString(), "check-state.json");
    }

    /// <summary>The saved cursor, or null when there is none or the file cannot be read (the rotation then starts over).</summary>
    public static ObjectId? ReadCursor(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.TryGetProperty("read_data_cursor", out var cursor) && ObjectId.TryParse(cursor.GetString(), out var id) ? id : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Saves the cursor (write to a temporary file, then rename), creating the folder if needed.</summary>
    public static void WriteCursor(string path, ObjectId cursor, DateTimeOffset now)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        using (var file = File.Create(temporary))
        using (var json = new Utf8JsonWriter(file))
        {
            json.WriteStartObject();
            json.WriteString("read_data_cursor", cursor.ToString());
            json.WriteString("updated", now.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }
}
