namespace Readiness.Silo.Security;

/// <summary>
/// Loads an ES256 key that signs one kind of thing from its settings section: <c>SigningKeyFile</c> (a PEM
/// file its owner alone may read, outside Development) or <c>SigningKeyPem</c> (the same PEM inline), not
/// both; in Development without either, a key made once and kept beside the token key.
/// </summary>
internal static class SigningKeyFiles
{
    /// <summary>The key configured in <paramref name="section"/>, the development key, or null when neither applies (the caller decides whether that is allowed).</summary>
    /// <remarks>
    /// <paramref name="prefix"/> <c>Next</c> reads <c>NextSigningKeyFile</c>/<c>NextSigningKeyPem</c>, the key published
    /// before it signs, with no development key of its own (a null <paramref name="developmentFileName"/>).
    /// </remarks>
    public static Es256Key? Load(IConfiguration configuration, IHostEnvironment environment, string section, string signs, string? developmentFileName, string prefix = "")
    {
        var settings = configuration.GetSection(section);
        var (fileSetting, pemSetting) = ($"{prefix}SigningKeyFile", $"{prefix}SigningKeyPem");
        var keyFile = settings[fileSetting];
        var keyPem = settings[pemSetting];
        var hasFile = !string.IsNullOrWhiteSpace(keyFile);
        var hasPem = !string.IsNullOrWhiteSpace(keyPem);
        if (hasFile && hasPem)
        {
            throw new InvalidOperationException($"Both {section}:{fileSetting} and {section}:{pemSetting} are set; set one, so that there is no doubt which key signs {signs}.");
        }
        if (hasFile)
        {
            var file = Path.GetFullPath(keyFile!);
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"{section}:{fileSetting} names {file}, which does not exist.");
            }
            if (!environment.IsDevelopment() && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & ~PrivateFile.Mode) != 0)
            {
                // Whoever can read the key can sign what the echelon above and auditors will believe.
                throw new InvalidOperationException(
                    $"{section}:{fileSetting} names {file}, whose mode {Octal(File.GetUnixFileMode(file))} lets its group or others use it; " +
                    $"the key that signs {signs} must be its owner's alone. Fix it with: chmod 600 {file}");
            }
            return Es256Key.FromPem(File.ReadAllText(file), $"{section}:{fileSetting} ({file})");
        }
        if (hasPem)
        {
            return Es256Key.FromPem(keyPem!, $"{section}:{pemSetting}");
        }
        if (environment.IsDevelopment() && developmentFileName is not null)
        {
            var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
            var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(auth.DevelopmentKeyFile))!, developmentFileName);
            return Es256Key.FromPem(PrivateFile.ReadOrCreate(file, Es256Key.NewPem), file);
        }
        return null;
    }

    /// <summary>How to name a section's key setting in a refusal: its configuration name and its environment variable.</summary>
    public static string Named(string section) => $"{section}:SigningKeyFile (environment: {section.Replace(":", "__", StringComparison.Ordinal)}__SigningKeyFile)";

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
