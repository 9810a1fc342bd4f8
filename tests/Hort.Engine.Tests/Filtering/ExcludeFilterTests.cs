using Hort.Engine.Filtering;

namespace Hort.Engine.Tests.Filtering;

public sealed class ExcludeFilterTests
{
    private static bool Excluded(string pattern, string path) => new ExcludeFilter([pattern]).IsExcluded(path);

    [Theory]
    [InlineData("*.tmp", "/home/u/a.tmp", true)]
    [InlineData("*.tmp", "/a.tmp", true)]
    [InlineData("*.tmp", "/home/u/a.tmp.keep", false)]
    [InlineData("node_modules", "/src/app/node_modules", true)]
    [InlineData("node_modules", "/src/app/node_modules2", false)]
    [InlineData("node_modules", "/src/node_modules/x", false)] // the directory itself is excluded, so the walk never gets here
    [InlineData("?.o", "/build/a.o", true)]
    [InlineData("[ab].o", "/build/c.o", false)]
    public void A_pattern_without_a_slash_matches_the_name_anywhere(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Excluded(pattern, path));

    [Theory]
    [InlineData("/home/*/.cache", "/home/u/.cache", true)]
    [InlineData("/home/*/.cache", "/home/u/x/.cache", false)]
    [InlineData("/home/*/.cache", "/srv/home/u/.cache", false)]
    [InlineData("/home/**/.cache", "/home/u/x/.cache", true)]
    [InlineData("/var/log", "/var/log", true)]
    [InlineData("/var/log", "/srv/var/log", false)]
    [InlineData("/var/log", "/var/logs", false)]
    public void A_pattern_starting_with_a_slash_matches_the_absolute_path(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Excluded(pattern, path));

    [Theory]
    [InlineData("build/obj", "/src/app/build/obj", true)]
    [InlineData("build/obj", "/build/obj", true)]
    [InlineData("build/obj", "/src/mybuild/obj", false)]
    [InlineData("build/obj", "/src/build/obj2", false)]
    [InlineData("build/*.o", "/src/build/x.o", true)]
    [InlineData("build/*.o", "/src/build/sub/x.o", false)]
    [InlineData("build/**/*.o", "/src/build/sub/x.o", true)]
    [InlineData("a/b/c", "/x/a/b/c", true)]
    [InlineData("a/b/c", "/x/b/c", false)]
    public void Any_other_pattern_matches_trailing_whole_components(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Excluded(pattern, path));

    [Theory]
    [InlineData("cache/", "/home/u/cache", true)]
    [InlineData("/var/tmp/", "/var/tmp", true)]
    [InlineData("build/obj/", "/src/build/obj", true)]
    [InlineData("cache//", "/home/u/cache", true)]
    public void A_trailing_slash_is_ignored(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Excluded(pattern, path));

    [Fact]
    public void Several_patterns_exclude_what_any_of_them_matches()
    {
        var filter = new ExcludeFilter(["*.tmp", "/var/cache", "build/obj"]);

        Assert.True(filter.IsExcluded("/x/y.tmp"));
        Assert.True(filter.IsExcluded("/var/cache"));
        Assert.True(filter.IsExcluded("/p/build/obj"));
        Assert.False(filter.IsExcluded("/p/build/src"));
        Assert.False(filter.IsEmpty);
    }

    [Fact]
    public void Blank_patterns_exclude_nothing()
    {
        var filter = new ExcludeFilter(["", "  "]);

        Assert.True(filter.IsEmpty);
        Assert.False(filter.IsExcluded("/anything"));
    }
}
