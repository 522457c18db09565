// Material's search box, answered by Pagefind's chunked index (pagefind/ beside assets/).
// This worker speaks Material's worker messages: SETUP (0) -> READY (1), QUERY (2) -> RESULT (3),
// so the search box, its keyboard use and the highlighting on the opened page stay Material's.
// Material inserts titles and texts as HTML: everything from the index is escaped here.
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
// The few results whose previews are fetched: each costs one small request.
var RESULTS = 20;

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
var ready = null;
var synonyms = {};
var latest = 0;
var RECORDS = 1;
// How much a record holding only some of the words is held back.
var EXPONENT = 3;

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The words of a query that are searched for: lower case, without punctuation around them, each
// once, and without the words of a question that say nothing about the rule ("how", "do", "I"),
// unless nothing else is left.
function queryWords(query) {
  var words = query.toLowerCase().split(/[\s,;:!?()"]+/).map(function (word) {
    return word.replace(/^[^\w]+|[^\w]+$/g, "");
  }).filter(function (word, index, all) {
    return word.length > 0 && all.indexOf(word) === index;
  });
  var wanted = words.filter(function (word) { return !STOP_WORDS.has(word); });
  return wanted.length ? wanted : words;
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

// One result per record, in rank order. Material shows a page (no #anchor in its address) with
// its preview under the title; a result with an #anchor it shows as a title alone, so a rule's
// preview goes inside its title, on a line of its own (site_overrides/assets/handbook.css).
function toItem(data, words, score) {
  var meta = data.meta || {};
  var marked = wordsToMark(words);
  // The record's page and #anchor (generator/search.py indexes records from files).
  var url = relative(meta.href || data.url);
  var title = highlight(meta.title || "", marked);
  var preview = highlight(meta.preview || "", marked);
  var rule = url.indexOf("#") !== -1;
  return [{
    location: url,
    title: rule && preview ? title + '<span class="hb-search-preview">' + preview + "</span>" : title,
    text: rule ? "" : preview,
    score: score,
    terms: termsOf(data, words)
  }];
}

function results(found, words) {
  return found.map(function (data, rank) {
    return toItem(data, words, found.length - rank);
  });
}

// Pagefind matches word stems: "interrupting" also finds "interruption". Among the results
// shown, a record holding the words as typed (or words starting with them) comes first.
function preferTypedWords(found, top, words) {
  return found.map(function (data, index) {
    var content = data.content || "";
    var typed = words.filter(function (word) { return startsWord(word).test(content); }).length;
    return { data: data, rank: top[index].rank * (1 + typed / words.length) };
  }).sort(function (a, b) { return b.rank - a.rank; }).map(function (item) {
    return item.data;
  });
}

async function setup(config) {
  synonyms = {};
  Object.keys((config && config.synonyms) || {}).forEach(function (word) {
    synonyms[word.toLowerCase()] = config.synonyms[word];
  });
  pagefind = await import(new URL("pagefind/pagefind.js", site).href);
  await pagefind.init();
  // How many records there are: the rarity of a word is measured against it. Pagefind's entry
  // file says so (it has just loaded it: this comes from the browser's cache).
  var entry = await (await fetch(new URL("pagefind/pagefind-entry.json", site))).json();
  RECORDS = Math.max(1, Object.values(entry.languages || {}).reduce(function (sum, language) {
    return sum + (language.page_count || 0);
  }, 0));
  self.postMessage({ type: READY });
}

async function query(value) {
  var id = ++latest;
  // A query typed while the index is still loading waits for it, rather than failing.
  await ready;
  var words = queryWords(value);
  if (!words.length) {
    self.postMessage({ type: RESULT, data: { items: [], total: 0 } });
    return;
  }
  var ranked = await rank(words);
  if (id !== latest) return;
  var top = ranked.slice(0, RESULTS);
  var found = await Promise.all(top.map(function (result) {
    return result.data();
  }));
  if (id !== latest) return;
  found = preferTypedWords(found, top, words);
  var items = results(found, words);
  self.postMessage({ type: RESULT, data: { items: items, total: ranked.length } });
}

// Pagefind finds records holding every word; a question ("how fast do I answer an email?")
// seldom has all its words in one rule. So each word is searched on its own, weighted by how
// rare it is (a word in few records says more about which rule is meant than "customer" does),
// and a record ranks by its words' scores, scaled by the weighted share of the words it holds.
async function rank(wanted) {
  var searches = await Promise.all(wanted.map(function (word) { return pagefind.search(word); }));
  var records = new Map();
  var total = 0;
  searches.forEach(function (search) {
    var found = search ? search.results.length : 0;
    var rarity = Math.log(1 + RECORDS / (1 + found));
    total += rarity;
    if (!found) return;
    search.results.forEach(function (result) {
      var record = records.get(result.id) || { result: result, score: 0, share: 0 };
      record.score += result.score * rarity;
      record.share += rarity;
      records.set(result.id, record);
    });
  });
  return Array.from(records.values()).map(function (record) {
    record.rank = record.score * Math.pow(record.share / total, EXPONENT);
    return record;
  }).sort(function (a, b) { return b.rank - a.rank; }).map(function (record) {
    record.result.rank = record.rank;
    return record.result;
  });
}

self.addEventListener("message", function (event) {
  var message = event.data;
  if (message.type === SETUP) ready = setup(message.data.config);
  else if (message.type === QUERY) query(message.data);
});
