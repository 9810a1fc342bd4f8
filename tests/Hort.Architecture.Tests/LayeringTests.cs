using System.Reflection;
using System.Xml.Linq;

namespace Hort.Architecture.Tests;

/// <summary>Dependencies point one way; these tests fail on any arrow DESIGN.md does not allow.</summary>
public sealed class LayeringTests
{
    /// <summary>Direct project references each project may have (DESIGN.md, "Architecture").</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Hort.Core"] = [],
        ["Hort.Storage"] = ["Hort.Core"],
        ["Hort.Storage.S3"] = ["Hort.Storage"],
        ["Hort.Repository"] = ["Hort.Core", "Hort.Storage"],
        ["Hort.Engine"] = ["Hort.Repository"],
        ["Hort.Protocol"] = ["Hort.Core"],
        ["Hort.NetBoot"] = ["Hort.Core"],
        ["Hort.Agent"] = ["Hort.Engine", "Hort.Protocol"],
        ["Hort.Server"] = ["Hort.Engine", "Hort.Protocol", "Hort.NetBoot", "Hort.Storage.S3"],
        ["Hort.Cli"] = ["Hort.Engine", "Hort.Protocol", "Hort.Agent", "Hort.Storage.S3"],
    };

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hort.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Hort.slnx not found above the test binaries");
    }

    /// <summary>Everything a project may use: its allowed references and, transitively, theirs.</summary>
    private static HashSet<string> Reachable(string project)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>(Allowed[project]);
        while (stack.Count > 0)
        {
            var p = stack.Pop();
            if (seen.Add(p))
            {
                foreach (var q in Allowed[p]) stack.Push(q);
            }
        }

        return seen;
    }

    public static TheoryData<string> SourceProjects()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src")).Order())
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Every_source_project_is_in_the_design_table(string project)
    {
        Assert.True(Allowed.ContainsKey(project), $"{project} is not in DESIGN.md's project table; add it there and here first");
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Project_references_follow_the_design_table(string project)
    {
        var csproj = Path.Combine(RepositoryRoot(), "src", project, project + ".csproj");
        var references = XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value))
            .ToList();
        var forbidden = references.Where(r => !Allowed[project].Contains(r)).ToList();
        Assert.True(forbidden.Count == 0, $"{project} references {string.Join(", ", forbidden)}, which the design does not allow");
    }

    [Theory]
    [InlineData("Hort.Core")]
    [InlineData("Hort.Storage")]
    [InlineData("Hort.Repository")]
    [InlineData("Hort.Engine")]
    [InlineData("hort")]
    [InlineData("Hort.Protocol")]
    [InlineData("hortd")]
    public void Compiled_assemblies_use_only_allowed_layers(string assemblyName)
    {
        var project = assemblyName switch
        {
            "hort" => "Hort.Cli",
            "hortd" => "Hort.Server",
            _ => assemblyName,
        };
        var assembly = Assembly.Load(assemblyName);
        var reachable = Reachable(project);
        var used = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Hort.", StringComparison.Ordinal))
            .ToList();
        var forbidden = used.Where(n => !reachable.Contains(n)).ToList();
        Assert.True(forbidden.Count == 0, $"{assemblyName} uses {string.Join(", ", forbidden)}, which is above or beside it");
    }

    [Fact]
    public void Core_uses_no_other_hort_assembly_and_no_io_libraries()
    {
        var core = typeof(Hort.Core.ObjectId).Assembly;
        Assert.DoesNotContain(core.GetReferencedAssemblies(), a => a.Name!.StartsWith("Hort.", StringComparison.Ordinal));
    }
}
