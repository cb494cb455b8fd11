using System.Text;
using HtmlAgilityPack;

namespace BertFunctions.Ingestion;

/// <summary>
/// Reduces HTML to the text a reader sees: scripts, styles, titles and comments dropped, entities decoded, block elements
/// turned into line breaks (paragraph-like ones into blank lines), inline whitespace collapsed as a browser would.
/// </summary>
internal static class HtmlToText
{
    /// <summary>
    /// Deepest element nesting read. Real mail nests a few dozen deep; a hostile page nests hundreds of thousands,
    /// and the walk below (like any recursive one) would overflow the stack, which ends the process, not the document.
    /// </summary>
    public const int MaxDepth = 512;

    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        // Not "head": for tag soup such as a <title> after <body>, HtmlAgilityPack nests the whole page under a head
        // element; a real head holds nothing but the title, metadata, scripts and styles anyway.
        "script", "style", "title", "template", "noscript", "object", "embed", "applet", "svg", "math", "iframe",
    };

    private static readonly HashSet<string> Paragraphs = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "hr", "form", "fieldset", "address", "figure",
    };

    private static readonly HashSet<string> Lines = new(StringComparer.OrdinalIgnoreCase)
    {
        "div", "li", "tr", "dt", "dd", "center", "section", "article", "header", "footer", "nav", "aside", "main", "caption",
        "tbody", "thead", "tfoot", "body", "html", "option", "legend", "figcaption", "details", "summary",
    };

    public static string Convert(string html)
    {
        var document = new HtmlDocument();
        document.LoadHtml(html);
        var text = new StringBuilder(html.Length / 2);
        Append(document.DocumentNode, text, preformatted: false, depth: 0);
        return text.ToString();
    }

    private static void Append(HtmlNode node, StringBuilder text, bool preformatted, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException($"HTML nested deeper than {MaxDepth} elements");
        }

        switch (node.NodeType)
        {
            case HtmlNodeType.Comment:
                return;
            case HtmlNodeType.Text:
                var decoded = HtmlEntity.DeEntitize(((HtmlTextNode)node).Text);
                text.Append(preformatted ? decoded : CollapseWhitespace(decoded));
                return;
            case HtmlNodeType.Element when Dropped.Contains(node.Name):
                return;
            case HtmlNodeType.Element when node.Name.Equals("br", StringComparison.OrdinalIgnoreCase):
                text.Append('\n');
                return;
        }

        var separator = node.NodeType != HtmlNodeType.Element ? ""
            : Paragraphs.Contains(node.Name) ? "\n\n"
            : Lines.Contains(node.Name) ? "\n"
            : node.Name is "td" or "th" ? " "
            : "";
        text.Append(separator);
        var pre = preformatted || node.Name.Equals("pre", StringComparison.OrdinalIgnoreCase);
        foreach (var child in node.ChildNodes)
        {
            Append(child, text, pre, depth + 1);
        }

        text.Append(separator);
    }

    private static string CollapseWhitespace(string text)
    {
        // In HTML a line break inside text is just a space; the cleaner collapses the runs.
        return text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
    }
}
