using Annlsp.Server.Documents;

namespace Annlsp.Server.Tests;

/// <summary><see cref="DocumentUri"/>: spellings of one file are one key (the document store, the one-run-per-target guard).</summary>
public sealed class DocumentUriTests
{
    [Theory]
    [InlineData("file:///w/./long.ann")]
    [InlineData("file:///w//long.ann")]
    [InlineData("file:///w/%6Cong.ann")]
    [InlineData("file:///w/sub/../long.ann")]
    [InlineData("file:///w/long.ann")]
    [InlineData("file://localhost/w/long.ann")]
    public void Spellings_of_one_file_normalise_alike(string uri)
    {
        Assert.Equal("file:///w/long.ann", DocumentUri.Normalize(uri));
        Assert.True(DocumentUri.Comparer.Equals(uri, "file:///w/long.ann"));
        Assert.Equal(DocumentUri.Comparer.GetHashCode("file:///w/long.ann"), DocumentUri.Comparer.GetHashCode(uri));
    }

    [Fact]
    public void Escapes_that_matter_are_kept_and_other_files_stay_apart()
    {
        Assert.Equal("file:///w/a%20b.ann", DocumentUri.Normalize("file:///w/a b.ann"));
        Assert.Equal(DocumentUri.Normalize("file:///w/a%20b.ann"), DocumentUri.Normalize("file:///w/a b.ann"));
        Assert.False(DocumentUri.Comparer.Equals("file:///w/Long.ann", "file:///w/long.ann"));   // Linux paths are case-sensitive
        Assert.False(DocumentUri.Comparer.Equals("file:///w/long.ann", "file:///x/long.ann"));
    }

    [Theory]
    [InlineData("untitled:Untitled-1")]
    [InlineData("not a uri")]
    [InlineData("https://example.com/a/./b.ann")]
    [InlineData("file://server/share/a.ann")]
    public void Other_uris_are_left_as_they_are(string uri) => Assert.Equal(uri, DocumentUri.Normalize(uri));
}
