using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hort.Core;
using Hort.Repository.Crypto;

namespace Hort.Repository.Tests.Crypto;

public sealed class KeyFileTests
{
    private const long Ops = 1;
    private const long Mem = 8L * 1024 * 1024;
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();
    private static readonly DateTimeOffset Created = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    // The wrapped key was computed with the argon2 CLI (for the wrapping key) and Python's hmac and
    // cryptography.AESGCM, independently of this code.
    private const string Vector =
        """{"version":1,"created":"2024-05-06T07:08:09Z","hostname":"app1","username":"backup","kdf":{"algorithm":"argon2id","opsLimit":1,"memLimit":8388608,"salt":"aG9ydC10ZXN0LXNhbHQxNg=="},"wrappedKey":"QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXESncmiDkejs6eGTPJ+VN6pH9WMWzDrqV/U8amgfPcv8Q+PAOupJXSUA7z1TTEy3J"}""";

    [Fact]
    public void Serializes_to_the_format_test_vector()
    {
        using var master = new MasterKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

        var file = KeyFile.Create(
            master, Password, "app1", "backup", Created, Ops, Mem,
            "hort-test-salt16"u8, Enumerable.Range(0x40, 24).Select(i => (byte)i).ToArray());

        Assert.Equal(Vector, Encoding.UTF8.GetString(file.Serialize()));
    }

    [Fact]
    public void The_test_vector_unwraps_to_its_master_key()
    {
        var file = KeyFile.Parse(Encoding.UTF8.GetBytes(Vector), "keys/vector");

        Assert.True(file.TryUnwrap(Password, out var key));
        using (key)
        {
            Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), key.Bytes.ToArray());
        }
    }

    [Fact]
    public void Create_serialize_parse_unwrap_gives_the_same_master_key()
    {
        using var master = MasterKey.Generate();
        var created = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2));

        var file = KeyFile.Create(master, Password, "app1.example", "müller", created, Ops, Mem);
        var parsed = KeyFile.Parse(file.Serialize(), "keys/x");

        Assert.True(parsed.TryUnwrap(Password, out var unwrapped));
        using (unwrapped)
        {
            Assert.Equal(master.Bytes.ToArray(), unwrapped.Bytes.ToArray());
        }

        Assert.Equal(created, parsed.Created);
        Assert.Equal(TimeSpan.Zero, parsed.Created.Offset);
        Assert.Equal("app1.example", parsed.Hostname);
        Assert.Equal("müller", parsed.Username);
        Assert.Equal(Ops, parsed.OpsLimit);
        Assert.Equal(Mem, parsed.MemLimit);
    }

    [Fact]
    public void Json_has_the_documented_fields()
    {
        using var master = MasterKey.Generate();
        var json = KeyFile.Create(master, Password, "h", "u", Created, Ops, Mem).Serialize();

        var root = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(["version", "created", "hostname", "username", "kdf", "wrappedKey"], root.Select(p => p.Key));
        Assert.Equal(1, (int)root["version"]!);
        Assert.Equal("2024-05-06T07:08:09Z", (string)root["created"]!);
        Assert.Equal("argon2id", (string)root["kdf"]!["algorithm"]!);
        Assert.Equal(16, Convert.FromBase64String((string)root["kdf"]!["salt"]!).Length);
        Assert.Equal(32 + ObjectCipher.Overhead, Convert.FromBase64String((string)root["wrappedKey"]!).Length);
    }

    [Fact]
    public void A_wrong_password_does_not_unwrap()
    {
        using var master = MasterKey.Generate();
        var file = KeyFile.Create(master, Password, "h", "u", Created, Ops, Mem);

        Assert.False(file.TryUnwrap("correct horse battery stapler"u8, out var key));
        Assert.Null(key);
        Assert.False(file.TryUnwrap([], out _));
    }

    [Fact]
    public void A_flipped_byte_in_the_wrapped_key_does_not_unwrap()
    {
        var root = JsonNode.Parse(Vector)!.AsObject();
        var wrapped = Convert.FromBase64String((string)root["wrappedKey"]!);
        wrapped[40] ^= 0x01;
        root["wrappedKey"] = Convert.ToBase64String(wrapped);

        var file = KeyFile.Parse(Encoding.UTF8.GetBytes(root.ToJsonString()), "keys/x");

        Assert.False(file.TryUnwrap(Password, out _));
    }

    [Fact]
    public void A_newer_version_is_unsupported_even_with_other_fields_changed()
    {
        var e = Assert.Throws<UnsupportedFormatException>(
            () => KeyFile.Parse("""{"version":2,"kdf":[1,2,3]}"""u8, "keys/ab12"));

        Assert.Equal("key file keys/ab12 uses key format version 2; this hort understands version 1 — upgrade hort", e.Message);
    }

    [Fact]
    public void An_unknown_key_derivation_is_unsupported()
    {
        var json = Vector.Replace("\"argon2id\"", "\"scrypt\"", StringComparison.Ordinal);

        var e = Assert.Throws<UnsupportedFormatException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(json), "keys/ab12"));

        Assert.Contains("scrypt", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{}")]
    [InlineData("""{"version":"1"}""")]
    [InlineData("""{"version":1}""")]
    [InlineData("""{"version":1,"created":"2024-05-06T07:08:09Z","hostname":"h","username":"u"}""")]
    [InlineData("""{"version":1} trailing""")]
    public void Malformed_json_is_reported_as_corrupt(string json)
    {
        var e = Assert.Throws<RepositoryCorruptException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(json), "keys/ab12"));

        Assert.Equal("keys/ab12", e.ObjectName);
    }

    [Theory]
    [InlineData("salt", "\"aG9ydA==\"")] // 4 bytes
    [InlineData("salt", "\"not base64!\"")]
    [InlineData("opsLimit", "0")]
    [InlineData("opsLimit", "1000000")]
    [InlineData("memLimit", "1024")]
    [InlineData("memLimit", "1099511627776")] // 1 TiB
    [InlineData("opsLimit", "\"1\"")]
    public void Bad_key_derivation_settings_are_reported_as_corrupt(string field, string value)
    {
        var root = JsonNode.Parse(Vector)!.AsObject();
        root["kdf"]![field] = JsonNode.Parse(value);

        Assert.Throws<RepositoryCorruptException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(root.ToJsonString()), "keys/ab12"));
    }

    [Fact]
    public void A_wrapped_key_of_the_wrong_length_is_reported_as_corrupt()
    {
        var root = JsonNode.Parse(Vector)!.AsObject();
        root["wrappedKey"] = Convert.ToBase64String(new byte[71]);

        Assert.Throws<RepositoryCorruptException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(root.ToJsonString()), "keys/ab12"));
    }

    [Fact]
    public void Costs_beyond_the_accepted_range_are_refused_when_creating()
    {
        using var master = MasterKey.Generate();

        Assert.Throws<ArgumentOutOfRangeException>(() => KeyFile.Create(master, Password, "h", "u", Created, 0, Mem));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyFile.Create(master, Password, "h", "u", Created, Ops, KeyFile.MaxMemLimit + 1));
    }

    [Fact]
    public void Json_exceptions_do_not_escape()
    {
        // A JsonException from any depth must surface as corruption, never as itself.
        var ex = Record.Exception(() => KeyFile.Parse("""{"version":1,"kdf":{"salt":5}}"""u8, "keys/x"));

        Assert.IsType<RepositoryCorruptException>(ex);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
    }
}
