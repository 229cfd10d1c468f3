namespace Readiness.Cli;

/// <summary>
/// Files the command line writes with the store's content (exports, reports): they name people and
/// units, so they are readable and writable by this user alone from the moment they exist, whatever
/// the umask, rather than narrowed after the content is in.
/// </summary>
internal static class OwnerOnlyFile
{
    /// <summary>Read and write for the owner only (0600).</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the file, or empties one already there and narrows its mode before anything is written.</summary>
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16, Options = FileOptions.Asynchronous };
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

    /// <summary>Writes the text (UTF-8, no byte-order mark, as <see cref="File.WriteAllTextAsync(string, string?, CancellationToken)"/> does) to a file made by <see cref="Create"/>.</summary>
    public static async Task WriteAllTextAsync(string path, string text)
    {
        await using var stream = Create(path);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(text);
    }
}
