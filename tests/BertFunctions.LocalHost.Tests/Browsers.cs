using Microsoft.Playwright;

namespace BertFunctions.LocalHost.Tests;

/// <summary>
/// Headless Chromium for page tests: Debian's <c>chromium</c> package (installed by <c>./bertfn test</c>), driven by
/// Playwright, which is told where the browser is and never downloads one. Flags as the machine notes advise: no
/// background networking (the sandbox has no internet), a fresh profile per launch.
/// </summary>
internal static class Browsers
{
    public static string Executable => Environment.GetEnvironmentVariable("BERTFN_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"no Chromium at {Executable}: install Debian's chromium package (./bertfn test does it) or set BERTFN_CHROMIUM");
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Console errors and uncaught page errors, as they happen.</summary>
    public static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return errors;
    }

    /// <summary>Where a test's screenshot goes: <c>screenshots/</c> beside the test assembly (kept after the run).</summary>
    public static string ScreenshotPath(string file)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, file);
    }
}
