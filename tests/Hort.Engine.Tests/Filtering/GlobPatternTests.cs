using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Hort.Engine.Filtering;

namespace Hort.Engine.Tests.Filtering;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("*.txt", "a.txt", true)]
    [InlineData("*.txt", ".txt", true)]
    [InlineData("*.txt", "a.txt.bak", false)]
    [InlineData("*.txt", "dir/a.txt", false)]
    [InlineData("a*", "a", true)]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "ab/c", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "/", false)]
    public void Star_matches_within_one_component(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new GlobPattern(pattern).IsMatch(text));

    [Theory]
    [InlineData("**", "a/b/c", true)]
    [InlineData("**", "", true)]
    [InlineData("**/*.txt", "a.txt", true)]
    [InlineData("**/*.txt", "x/y/a.txt", true)]
    [InlineData("**/*.txt", "x/y/a.txt/z", false)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "a/xb", false)]
    [InlineData("a/**/b", "ab", false)]
    [InlineData("a/**", "a/x/y", true)]
    [InlineData("a/**", "b/x", false)]
    [InlineData("/home/**/.cache", "/home/u/.cache", true)]
    [InlineData("/home/**/.cache", "/home/u/x/y/.cache", true)]
    [InlineData("/home/**/.cache", "/srv/home/u/.cache", false)]
    public void Double_star_matches_across_components_including_none(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new GlobPattern(pattern).IsMatch(text));

    [Theory]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "a.c", true)]
    [InlineData("a?c", "aéc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("a?c", "abbc", false)]
    [InlineData("a?c", "a/c", false)]
    [InlineData("???", "abc", true)]
    public void Question_mark_matches_exactly_one_character_but_not_a_slash(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new GlobPattern(pattern).IsMatch(text));

    [Theory]
    [InlineData("[abc].o", "b.o", true)]
    [InlineData("[abc].o", "d.o", false)]
    [InlineData("file[0-9]", "file7", true)]
    [InlineData("file[0-9]", "filex", false)]
    [InlineData("file[0-9]", "file10", false)]
    [InlineData("[!a-c]x", "dx", true)]
    [InlineData("[!a-c]x", "bx", false)]
    [InlineData("[^0-9]x", "ax", true)]
    [InlineData("[^0-9]x", "5x", false)]
    [InlineData("[a-]", "-", true)]
    [InlineData("[a-]", "a", true)]
    [InlineData("[a-]", "b", false)]
    [InlineData("a[/]b", "a/b", false)]
    [InlineData("[A-Za-z_]*", "Makefile", true)]
    [InlineData("a[b", "a[b", true)]
    [InlineData("a[b", "ab", false)]
    public void Character_classes_match_one_character_from_a_set_range_or_complement(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new GlobPattern(pattern).IsMatch(text));

    [Theory]
    [InlineData(@"\*", "*", true)]
    [InlineData(@"\*", "x", false)]
    [InlineData(@"a\?", "a?", true)]
    [InlineData(@"a\?", "ab", false)]
    [InlineData(@"\[x]", "[x]", true)]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abcd", false)]
    [InlineData("abc", "xabc", false)]
    [InlineData("abc", "ABC", false)]
    public void Escapes_and_literals_match_the_whole_text_exactly(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new GlobPattern(pattern).IsMatch(text));

    [Fact]
    public void An_empty_pattern_is_refused() => Assert.Throws<ArgumentException>(() => new GlobPattern(""));

    /// <summary>
    /// Differential check against a regular expression built independently from the documented meaning:
    /// "**/" is any run of whole directories (or none), "**" anything, "*" anything but '/', "?" one character but '/'.
    /// </summary>
    [Fact]
    public void Agrees_with_a_regular_expression_of_the_documented_meaning_on_random_patterns()
    {
        var patterns = Gen.Elements('a', 'b', '/', '*', '?').NonEmptyListOf().Select(l => new string([.. l.Take(9)]));
        var texts = Gen.Elements('a', 'b', '/').ListOf().Select(l => new string([.. l.Take(9)]));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(patterns.ToArbitrary(), texts.ToArbitrary(), (pattern, text) =>
            new GlobPattern(pattern).IsMatch(text) == Reference(pattern).IsMatch(text)));
    }

    private static Regex Reference(string glob)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                regex.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(glob[i] switch { '*' => "[^/]*", '?' => "[^/]", var c => Regex.Escape(c.ToString()) });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
