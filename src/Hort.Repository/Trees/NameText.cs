using System.Buffers;
using System.Globalization;
using System.Text;

namespace Hort.Repository.Trees;

/// <summary>Converts raw name bytes to text for people, without ever losing the bytes themselves.</summary>
public static class NameText
{
    /// <summary>UTF-8 where the bytes are valid; each invalid byte as <c>\xNN</c>.</summary>
    public static string Display(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var sb = new StringBuilder(bytes.Length + 8);
        var i = 0;
        while (i < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed) == OperationStatus.Done)
            {
                sb.Append(rune.ToString());
                i += consumed;
            }
            else
            {
                sb.Append("\\x").Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
                i++;
            }
        }

        return sb.ToString();
    }

    /// <summary>The UTF-8 bytes of a name typed by a user.</summary>
    public static byte[] FromText(string text) => Encoding.UTF8.GetBytes(text);
}
