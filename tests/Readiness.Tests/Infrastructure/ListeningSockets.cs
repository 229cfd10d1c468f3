using System.Globalization;
using System.Net;

namespace Readiness.Tests.Infrastructure;

/// <summary>
/// The TCP addresses a process listens on, as the kernel has them (Linux's /proc): what the process
/// really bound, whatever its settings or its log say.
/// </summary>
public static class ListeningSockets
{
    private const string Listen = "0A";

    public static IReadOnlyList<IPEndPoint> Of(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            // A socket's descriptor links to "socket:[inode]".
            if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }
        return [.. Table($"/proc/{pid}/net/tcp", inodes), .. Table($"/proc/{pid}/net/tcp6", inodes)];
    }

    // Columns: sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode.
    private static IEnumerable<IPEndPoint> Table(string path, HashSet<string> inodes) =>
        File.ReadLines(path).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns[3] == Listen && inodes.Contains(columns[9]))
            .Select(columns => Endpoint(columns[1]));

    /// <summary>"0100007F:13D8": the address in the kernel's byte order, 32 bits at a time; the port in hex.</summary>
    private static IPEndPoint Endpoint(string text)
    {
        var (address, port) = (text[..text.IndexOf(':', StringComparison.Ordinal)], text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        var bytes = Convert.FromHexString(address);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }
        return new IPEndPoint(new IPAddress(bytes), int.Parse(port, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
