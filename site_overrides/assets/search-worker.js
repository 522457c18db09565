// Material's search box, answered by Pagefind's chunked index (pagefind/ beside assets/).
// This worker speaks Material's worker messages: SETUP (0) -> READY (1), QUERY (2) -> RESULT (3),
// so the search box, its keyboard use and the highlighting on the opened page stay Material's.
// Material inserts titles and texts as HTML: everything from the index is escaped here.
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
// The few results whose previews are fetched: each costs one small request.
var RESULTS = 20;
// Rules shown under a policy before "more matches on this page".
var SHOWN = 3;

// Words of a question that say nothing about which rule answers it.
var STOP_WORDS = new Set((
  "a an and are as at be by can could do does for from have how i if in is it me my of on or " +
  "our should so that the their them they this to us was we what when where which who why " +
  "will with would you your i'm don't can't just get got ok okay happens happen there any " +
  "about also am been being did has had into its let may might must need not only own shall " +
  "than then these those too very want"
).split(" "));

var site = new URL("../", self.location.href);
var pagefind = null;
var synonyms = {};
var latest = 0;

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The words of a query as Material shows them back (lower case, no punctuation around them).
function queryWords(query) {
  return query.toLowerCase().split(/[\s,;:!?()"]+/).map(function (word) {
    return word.replace(/^[^\w]+|[^\w]+$/g, "");
  }).filter(function (word) { return word.length > 0; });
}

// Each query word with the handbook words it stands for (handbook.yaml `synonyms`).
function wordsToMark(words) {
  var marked = [];
  words.forEach(function (word) {
    marked.push(word);
    (synonyms[word] || []).forEach(function (other) { marked.push(other.toLowerCase()); });
  });
  return marked;
}

function startsWord(word) {
  return new RegExp("(^|[^\\w])(" + escapeRegExp(escapeHTML(word)) + ")", "i");
}

function highlight(text, words) {
  var html = escapeHTML(text);
  if (!words.length) return html;
  var pattern = new RegExp("(^|[^\\w&#])(" + words.map(function (word) {
    return escapeRegExp(escapeHTML(word));
  }).join("|") + ")", "gi");
  return html.replace(pattern, "$1<mark data-md-highlight>$2</mark>");
}

// Which query words (and found synonyms) a record holds: Material shows the missing ones, and
// passes the found ones to the page it opens, which highlights them.
function termsOf(data, words) {
  var terms = {};
  var content = data.content || "";
  words.forEach(function (word) {
    terms[word] = startsWord(word).test(content);
    (synonyms[word] || []).forEach(function (other) {
      if (startsWord(other).test(content)) terms[other.toLowerCase()] = true;
    });
  });
  return terms;
}

function relative(url) {
  return url.replace(/^\//, "");
}

function toDocument(data, words, score) {
  var meta = data.meta || {};
  var marked = wordsToMark(words);
  return {
    location: relative(data.url),
    title: highlight(meta.title || "", marked),
    text: highlight(meta.preview || "", marked),
    score: score,
    terms: termsOf(data, words)
  };
}

// Material lists results by page: the page first, then its matching rules.
function group(found, words) {
  var pages = new Map();
  found.forEach(function (data, rank) {
    var url = relative(data.url);
    var page = url.split("#")[0];
    var score = 1000 - rank;
    if (!pages.has(page)) pages.set(page, { top: score, page: null, rules: [], title: "" });
    var entry = pages.get(page);
    entry.title = entry.title || (data.meta && data.meta.page) || "";
    if (url === page) entry.page = data;
    else entry.rules.push(data);
  });
  var items = [];
  pages.forEach(function (entry, page) {
    var head = entry.page
      ? toDocument(entry.page, words, entry.top)
      : { location: page, title: escapeHTML(entry.title), text: "", score: entry.top, terms: {} };
    var rules = entry.rules.map(function (data, index) {
      // At or above the page's score a rule is shown; below it, folded under "more".
      var score = index < SHOWN ? entry.top + (SHOWN - index) / 10 : entry.top - 1 - index;
      return toDocument(data, words, score);
    });
    if (!entry.page && rules.length) head.terms = rules[0].terms;
    items.push([head].concat(rules));
  });
  return items;
}

async function setup(config) {
  synonyms = {};
  Object.keys((config && config.synonyms) || {}).forEach(function (word) {
    synonyms[word.toLowerCase()] = config.synonyms[word];
  });
  pagefind = await import(new URL("pagefind/pagefind.js", site).href);
  await pagefind.init();
  self.postMessage({ type: READY });
}

async function query(value) {
  var id = ++latest;
  var words = queryWords(value);
  if (!words.length) {
    self.postMessage({ type: RESULT, data: { items: [], total: 0 } });
    return;
  }
  var ranked = await rank(words);
  if (id !== latest) return;
  var found = await Promise.all(ranked.slice(0, RESULTS).map(function (result) {
    return result.data();
  }));
  if (id !== latest) return;
  var items = group(found, words);
  self.postMessage({ type: RESULT, data: { items: items, total: ranked.length } });
}

// Pagefind finds records holding every word; a question ("how fast do I answer an email?")
// seldom has all its words in one rule. So each word is searched on its own and a record
// ranks by the sum of its words' scores, scaled by the share of the words it holds.
async function rank(words) {
  var wanted = words.filter(function (word) { return !STOP_WORDS.has(word); });
  if (!wanted.length) wanted = words;
  wanted = wanted.filter(function (word, index) { return wanted.indexOf(word) === index; });
  var searches = await Promise.all(wanted.map(function (word) { return pagefind.search(word); }));
  var records = new Map();
  searches.forEach(function (search) {
    if (!search) return;
    // A word found in few records says more about which rule is meant than a common one.
    var rarity = 1 / Math.log2(2 + search.results.length);
    search.results.forEach(function (result) {
      var record = records.get(result.id) || { result: result, score: 0, words: 0 };
      record.score += result.score * rarity;
      record.words += 1;
      records.set(result.id, record);
    });
  });
  return Array.from(records.values()).map(function (record) {
    record.rank = record.score * Math.pow(record.words / wanted.length, 2);
    return record;
  }).sort(function (a, b) { return b.rank - a.rank; }).map(function (record) {
    return record.result;
  });
}

self.addEventListener("message", function (event) {
  var message = event.data;
  if (message.type === SETUP) setup(message.data.config);
  else if (message.type === QUERY) query(message.data);
});
