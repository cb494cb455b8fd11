using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace BertFunctions.Orchestration.Reports;

/// <summary>
/// The little the report pages share: escaping, number formats and one stylesheet. Pages are static HTML with no
/// script, so they render the same from the API, from blob storage, or from a file.
/// </summary>
internal static class Html
{
    /// <summary>Served with every page: no scripts, no outside requests; images inline or from the same origin.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
        h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; }
        th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: right; }
        th { background: #f4f4f4; } td.text, th.text { text-align: left; }
        .meta { color: #555; font-size: .9rem; } .swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; border-radius: 2px; }
        .best { font-weight: bold; } .recommendation { background: #f0f7ff; border-left: 4px solid #1f77b4; padding: .6rem 1rem; }
        .warning { background: #fff6e5; border-left: 4px solid #ff7f0e; padding: .6rem 1rem; }
        img { max-width: 100%; border: 1px solid #eee; margin: .5rem 0; }
        .state-failed { color: #b00; } .state-running { color: #a60; } .state-completed { color: #070; }
        """;

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string Number(double value, string format) =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string MeanStd(double mean, double std, int seeds) =>
        seeds > 1 ? $"{Number(mean, "F4")} ± {Number(std, "F4")}" : Number(mean, "F4");

    public static string Seconds(double seconds) => seconds switch
    {
        < 120 => $"{Number(seconds, "F0")} s",
        < 7200 => $"{Number(seconds / 60, "F1")} min",
        _ => $"{Number(seconds / 3600, "F1")} h",
    };

    public static string Tokens(double tokens) => tokens switch
    {
        < 1e3 => Number(tokens, "F0"),
        < 1e6 => $"{Number(tokens / 1e3, "F1")} k",
        _ => $"{Number(tokens / 1e6, "F2")} M",
    };

    /// <summary>The page around <paramref name="body"/>.</summary>
    public static string Page(string title, StringBuilder body) =>
        $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>{Encode(title)}</title>
        <style>
        {Style}
        </style>
        </head>
        <body>
        {body}
        </body>
        </html>

        """;
}
