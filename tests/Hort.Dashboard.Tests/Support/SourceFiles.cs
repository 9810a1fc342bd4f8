namespace Hort.Dashboard.Tests.Support;

/// <summary>The files of the test PC: a document whose bytes a download must return, and a few small letters.</summary>
internal static class SourceFiles
{
    public const string Report = "quarterly-report.pdf";
    public const string LettersFolder = "letters";

    public static void Create(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, LettersFolder));
        File.WriteAllBytes(Path.Combine(root, Report), ReportBytes);
        for (var i = 1; i <= 3; i++)
        {
            File.WriteAllText(Path.Combine(root, LettersFolder, $"letter-{i}.txt"), $"Dear customer {i},\nthank you for your order.\n");
        }
    }

    /// <summary>Random bytes, so compression cannot hide a wrong one.</summary>
    public static byte[] ReportBytes { get; } = Random(300_000, 42);

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
