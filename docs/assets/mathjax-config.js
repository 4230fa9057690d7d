// MathJax 3 for the course site. The library itself is served from this site
// (assets/mathjax, copied from a pip package by docs/hooks.py), never from a CDN, so the
// math renders offline. It typesets the notebooks' Markdown cells and LaTeX outputs
// (delimiters $...$, $$...$$, \(...\), \[...\]) and the `arithmatex` spans of the
// Markdown pages, and not the rest of a page's content (md-typeset), where prose or a
// docstring may hold a dollar sign. MathJax skips an ignored element's children unless
// they carry a process class, and never looks inside code.
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: "md-typeset|tex2jax_ignore",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-RenderedLatex",
  },
};
