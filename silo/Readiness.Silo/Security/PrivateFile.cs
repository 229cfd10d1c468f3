namespace Readiness.Silo.Security;

/// <summary>
/// Files that hold a secret (development keys, the development token): readable and writable by
/// this user alone from the moment they exist, so no other user on the machine can copy them.
/// </summary>
public static class PrivateFile
{
    /// <summary>Read and write for the owner only (0600).</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Replaces the file's content; an older file keeps its name but loses any wider mode before the secret goes in.</summary>
    public static async Task WriteAsync(string path, string text, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var stream = Open(path, FileMode.Create);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(text.AsMemory(), cancellationToken);
    }

    /// <summary>
    /// The file's content, made by <paramref name="make"/> the first time. Silos starting together
    /// in one directory agree on one secret: it is written aside and linked into place only if
    /// nobody was first, so no reader ever sees a half-written file.
    /// </summary>
    public static string ReadOrCreate(string path, Func<string> make)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var aside = $"{path}.{Guid.NewGuid():N}.tmp";
            try
            {
                using (var stream = Open(aside, FileMode.CreateNew))
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(make());
                }
                File.Move(aside, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another silo made it first; its secret is the one.
            }
            finally
            {
                File.Delete(aside);
            }
        }
        Restrict(path);
        return File.ReadAllText(path);
    }

    /// <summary>Narrows a file made before secrets were kept private, by an older silo or a careless copy.</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~Mode) != 0)
        {
            File.SetUnixFileMode(path, Mode);
        }
    }

    private static FileStream Open(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, options);
        }
        options.UnixCreateMode = Mode;
        var stream = new FileStream(path, options);
        // The create mode applies only to a new file; one that existed is narrowed while it is still empty.
        File.SetUnixFileMode(stream.SafeFileHandle, Mode);
        return stream;
    }
}
