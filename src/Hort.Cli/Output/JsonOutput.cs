using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Hort.Cli.Output;

/// <summary>JSON for --json output: snake_case names, one document per line (the options are <see cref="CliJsonContext"/>'s).</summary>
internal static class JsonOutput
{
    public static void Write<T>(TextWriter writer, T value, JsonTypeInfo<T> info) => writer.WriteLine(JsonSerializer.Serialize(value, info));
}
