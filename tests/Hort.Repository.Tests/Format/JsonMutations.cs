using System.Text.Json.Nodes;

namespace Hort.Repository.Tests.Format;

/// <summary>
/// Structural mutations of JSON documents: a member's value replaced by a value of another type or an extreme one,
/// a member removed, an unknown one added. They reach the checks behind the parser, which byte flips rarely do.
/// </summary>
internal static class JsonMutations
{
    private static readonly string[] Replacements =
    [
        "null", "0", "-1", "1", "2", "4294967295", "4294967296", "-2147483649", "9223372036854775807",
        "18446744073709551616", "1e308", "1e999", "-0", "0.5", "true", "false", "\"\"", "\"x\"", "\"-1\"",
        "\"9999-12-31T23:59:59.9999999+14:00\"", "\"0001-01-01T00:00:00-14:00\"", "\"2024-02-30T00:00:00Z\"",
        "\"" + new string('a', 64) + "\"", "\"" + new string('G', 64) + "\"", "\"" + new string('0', 63) + "\"",
        "[]", "[null]", "[1]", "[\"a\",null]", "{}", "{\"a\":1}", new string('[', 100) + new string(']', 100),
    ];

    /// <summary><paramref name="count"/> structurally mutated copies of <paramref name="documents"/>.</summary>
    public static IEnumerable<Mutant> Mutations(IReadOnlyList<byte[]> documents, int count, int seed = MalformedInput.Seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var root = JsonNode.Parse(documents[random.Next(documents.Count)])!;
            var members = new List<(JsonObject Parent, string Name)>();
            Collect(root, members);
            if (members.Count == 0)
            {
                continue;
            }

            var (parent, name) = members[random.Next(members.Count)];
            string how;
            switch (random.Next(6))
            {
                case 0:
                    parent.Remove(name);
                    how = $"removed '{name}'";
                    break;
                case 1:
                    parent["unknownMember" + i] = Parse(Replacements[random.Next(Replacements.Length)]);
                    how = $"added an unknown member beside '{name}'";
                    break;
                default:
                    var value = Replacements[random.Next(Replacements.Length)];
                    parent[name] = Parse(value);
                    how = $"'{name}' = {(value.Length > 40 ? value[..40] + "…" : value)}";
                    break;
            }

            yield return new Mutant($"json mutation {i} (seed {seed}): {how}", System.Text.Encoding.UTF8.GetBytes(root.ToJsonString()));
        }
    }

    private static JsonNode? Parse(string json) => JsonNode.Parse(json, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 256 });

    private static void Collect(JsonNode? node, List<(JsonObject, string)> members)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    members.Add((o, name));
                    Collect(child, members);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Collect(child, members);
                }

                break;
        }
    }
}
