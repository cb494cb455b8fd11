using System.Text;
using System.Text.RegularExpressions;

namespace BertFunctions.Ingestion;

/// <summary>
/// A case-insensitive glob: <c>*</c> matches any run of characters except <c>/</c>, <c>**</c> any run including <c>/</c>,
/// <c>?</c> one character except <c>/</c>; everything else is literal. Compiled once to a regular expression.
/// </summary>
internal sealed class Glob
{
    private readonly Regex _regex;

    public Glob(string pattern)
    {
        Pattern = pattern;
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    regex.Append(".*");
                    i++;
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                default:
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
            }
        }

        regex.Append('$');
        _regex = new Regex(regex.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }

    public string Pattern { get; }

    /// <summary>Whether the pattern names paths (has a <c>/</c>) rather than file names.</summary>
    public bool IsPathPattern => Pattern.Contains('/', StringComparison.Ordinal);

    public bool IsMatch(string text) => _regex.IsMatch(text);

    /// <summary>Matches an input name: path patterns against the whole name (with <c>\</c> read as <c>/</c>), others against the file name.</summary>
    public bool MatchesInput(string name)
    {
        var path = name.Replace('\\', '/');
        return IsMatch(IsPathPattern ? path : path[(path.LastIndexOf('/') + 1)..]);
    }
}
