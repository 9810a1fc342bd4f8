using Hort.Engine.FileSystem;

namespace Hort.Engine.Tests.FileSystem;

public sealed class AccountTests
{
    [Fact]
    public void Root_is_known_both_ways()
    {
        Assert.Equal("root", PosixFileSystem.UserName(0));
        Assert.Equal("root", PosixFileSystem.GroupName(0));
        Assert.Equal(0u, PosixFileSystem.UserId("root"));
        Assert.Equal(0u, PosixFileSystem.GroupId("root"));
    }

    [Fact]
    public void The_current_ids_are_those_of_the_process()
    {
        Assert.Equal(Environment.UserName, PosixFileSystem.UserName(PosixFileSystem.CurrentUid));
        Assert.Equal(PosixFileSystem.IsRoot, PosixFileSystem.CurrentUid == 0);
        Assert.NotNull(PosixFileSystem.GroupName(PosixFileSystem.CurrentGid));
    }

    [Fact]
    public void Unknown_ids_and_names_are_null()
    {
        Assert.Null(PosixFileSystem.UserName(3_999_999_999));
        Assert.Null(PosixFileSystem.GroupName(3_999_999_999));
        Assert.Null(PosixFileSystem.UserId("no-such-user-in-hort-tests"));
        Assert.Null(PosixFileSystem.GroupId("no-such-group-in-hort-tests"));
    }

    [Fact]
    public void Lookups_agree_with_the_system_account_database()
    {
        // /etc/passwd lines: name:password:uid:gid:…; the lookup goes through NSS, which reads this file here.
        foreach (string line in File.ReadLines("/etc/passwd").Take(10))
        {
            string[] fields = line.Split(':');
            uint uid = uint.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(uid, PosixFileSystem.UserId(fields[0]));
        }
    }

    [Fact]
    public void Concurrent_lookups_give_the_same_answer()
    {
        var names = new System.Collections.Concurrent.ConcurrentBag<string?>();
        Parallel.For(0, 64, i => names.Add(PosixFileSystem.UserName((uint)(i % 2))));

        Assert.Equal(32, names.Count(n => n == "root"));
        Assert.Equal(32, names.Count(n => n == PosixFileSystem.UserName(1)));
    }
}
