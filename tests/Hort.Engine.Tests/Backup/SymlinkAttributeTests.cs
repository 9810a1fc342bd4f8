using Hort.Engine.Tests.Support;

namespace Hort.Engine.Tests.Backup;

/// <summary>Extended attributes on symlinks: only root can set them (trusted.*, security.*), and SELinux labels live there.</summary>
public sealed class SymlinkAttributeTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_trusted_attribute_on_a_symlink_is_restored_or_reported_never_dropped_silently()
    {
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        Libc.Symlink("target"u8, Libc.AT_FDCWD, _scratch.Sub("src/link"));
        Libc.SetExtendedAttribute(_scratch.Sub("src/link"), "trusted.hort", [1, 2, 3]);
        Assert.Contains("trusted.hort", Libc.ExtendedAttributes(Libc.AT_FDCWD, _scratch.Sub("src/link")).Keys); // the walker sees it
        using var repository = await TestRepository.CreateAsync();
        var backup = await repository.BackupAsync(_scratch.SubText("src"));
        var node = await repository.FindNodeAsync(backup.Snapshot, _scratch.SubText("src/link"));
        Assert.Equal("trusted.hort"u8.ToArray(), Assert.Single(node.ExtendedAttributes).Name);

        var target = _scratch.SubText("target");
        var restore = await repository.RestoreAsync(backup.Stored(), target);

        var restored = Libc.ExtendedAttributes(Libc.AT_FDCWD, ScratchDirectory.Restored(target, _scratch.Sub("src/link")));
        var reported = restore.Issues.Any(i => i.Path.EndsWith("/src/link", StringComparison.Ordinal) && i.Message.Contains("trusted.hort", StringComparison.Ordinal));
        Assert.True(
            (restored.TryGetValue("trusted.hort", out var value) && value.SequenceEqual(new byte[] { 1, 2, 3 })) || reported,
            "trusted.hort is neither on the restored symlink nor reported");
    }
}
