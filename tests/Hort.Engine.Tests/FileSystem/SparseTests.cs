using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

public sealed class SparseTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_restored_sparse_file_keeps_its_holes_and_its_data_regions_are_found()
    {
        byte[] block = new byte[4096];
        Array.Fill(block, (byte)0xab);
        using (var target = RestoreTarget.Open(_temp.Text))
        using (var file = target.Root.CreateFile(Bytes("sparse"), Octal("644")))
        {
            RandomAccess.Write(file, block, 0);
            RandomAccess.Write(file, block, 64 * MiB);
            FileHandleMetadata.SetLength(file, 100 * MiB);
        }

        FileStatus status = PosixFileSystem.LStat(_temp.Sub("sparse"));
        Assert.Equal(100 * MiB, status.Size);
        Assert.True(status.AllocatedBytes < MiB, $"{status.AllocatedBytes} bytes allocated");

        using var handle = PosixFileSystem.OpenRead(_temp.Sub("sparse"));
        var regions = new List<(long, long)>();
        for (long from = 0; PosixFileSystem.TryGetNextDataRegion(handle, from, out long start, out long end); from = end)
        {
            regions.Add((start, end));
        }
        Assert.Equal([(0L, 4096L), (64 * MiB, 64 * MiB + 4096)], regions);

        byte[] hole = new byte[4096];
        RandomAccess.Read(handle, hole, 32 * MiB);
        Assert.All(hole, b => Assert.Equal(0, b));
    }
}
