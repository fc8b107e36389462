"""The few scripts the page runs: Gradio renders the components, these keep its output in view and accessible."""

# After an answer: bring its first line into the chat's view (the chat keeps its own scroll) and, on a narrow
# screen where the answer may be off screen, move the page and the focus to the answer.
AFTER_ANSWER_JS = """() => {
  const chat = document.querySelector('#chat');
  if (!chat) return;
  if (window.finderTidy) window.finderTidy();
  const bots = chat.querySelectorAll('[data-testid=bot]');
  const last = bots[bots.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box !== chat && !(box.scrollHeight > box.clientHeight + 1
         && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
  const row = last.closest('.message-row') || last;
  if (box && box !== chat.parentElement) {
    box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 36;
  }
  const r = chat.getBoundingClientRect();
  if (window.innerWidth <= 640 || r.top < 0 || r.top > window.innerHeight * 0.6) {
    chat.scrollIntoView({block: 'start'});
  }
  if (window.innerWidth <= 640) {
    last.setAttribute('tabindex', '-1');
    last.focus({preventScroll: true});
  }
}"""


# Once per page: keep things Gradio re-renders accessible. A dropdown's open option list scrolls, so Chromium
# makes it a Tab stop that vanishes as the list closes (focus falls to <body>): it gets tabindex=-1. Chat
# messages get their plain text as their accessible name (Gradio's carries the Markdown source).
PAGE_JS = """() => {
  let queued = false;
  window.finderTidy = () => {
    queued = false;
    document.querySelectorAll('ul[role=listbox]:not([tabindex])').forEach(u => u.setAttribute('tabindex', '-1'));
    document.querySelectorAll('#chat [data-testid=bot], #chat [data-testid=user]').forEach(m => {
      const who = m.dataset.testid === 'bot' ? 'Answer: ' : 'Your question: ';
      const label = who + m.innerText.replace(/\\s+/g, ' ').trim().slice(0, 300);
      if (m.getAttribute('aria-label') !== label) m.setAttribute('aria-label', label);
    });
  };
  new MutationObserver(() => { if (!queued) { queued = true; requestAnimationFrame(window.finderTidy); } })
    .observe(document.body, {childList: true, subtree: true, characterData: true});
  window.finderTidy();
}"""
