<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru">
<context>
    <name>ApprovedTemplateDialog</name>
    <message>
        <location filename="../../ui/approved_template.py" line="27"/>
        <location filename="../../ui/approved_template.py" line="28"/>
        <source>Send an approved template</source>
        <translation>Отправить одобренный шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="31"/>
        <source>Template</source>
        <translation>Шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="32"/>
        <source>Approved templates</source>
        <translation>Одобренные шаблоны</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="37"/>
        <source>Parameters</source>
        <translation>Параметры</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="38"/>
        <source>Values in order, separated by |</source>
        <translation>Значения по порядку через |</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="42"/>
        <source>What goes out</source>
        <translation>Что уйдёт клиенту</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="46"/>
        <source>&amp;Template:</source>
        <translation>&amp;Шаблон:</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="47"/>
        <source>&amp;Parameters:</source>
        <translation>&amp;Параметры:</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="52"/>
        <source>Send template</source>
        <translation>Отправить шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="52"/>
        <source>Send the template</source>
        <translation>Отправить шаблон клиенту</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="74"/>
        <source>At most %1 parameters</source>
        <translation>Не больше %1 параметров</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="76"/>
        <source>A parameter is empty</source>
        <translation>Один из параметров пуст</translation>
    </message>
    <message>
        <location filename="../../ui/approved_template.py" line="79"/>
        <source>Goes out: %1</source>
        <translation>Уйдёт: %1</translation>
    </message>
</context>
<context>
    <name>AttachmentChip</name>
    <message>
        <location filename="../../ui/attachments.py" line="36"/>
        <source>Remove %1</source>
        <translation>Убрать %1</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="37"/>
        <source>Remove the file from the reply</source>
        <translation>Убрать файл из ответа</translation>
    </message>
</context>
<context>
    <name>AttachmentTray</name>
    <message>
        <location filename="../../ui/attachments.py" line="88"/>
        <source>%1 — uploading…</source>
        <translation>%1 — загрузка…</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="118"/>
        <source>%1 — uploading %2%</source>
        <translation>%1 — загрузка %2%</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="140"/>
        <source>too large: at most %1</source>
        <translation>слишком большой: не больше %1</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="143"/>
        <source>this kind of file is not accepted</source>
        <translation>такие файлы не принимаются</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="144"/>
        <source>at most %1 files per message</source>
        <translation>не больше %1 файлов в сообщении</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="147"/>
        <source>the file is empty</source>
        <translation>файл пустой</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="148"/>
        <source>the file cannot be read</source>
        <translation>файл не читается</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="149"/>
        <source>the gateway is not reachable</source>
        <translation>шлюз недоступен</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="150"/>
        <source>too many files at once, try again shortly</source>
        <translation>слишком много файлов сразу, попробуйте чуть позже</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="151"/>
        <source>not allowed for this customer</source>
        <translation>недоступно для этого клиента</translation>
    </message>
    <message>
        <location filename="../../ui/attachments.py" line="155"/>
        <source>%1 — not attached: %2</source>
        <translation>%1 — не прикреплён: %2</translation>
    </message>
</context>
<context>
    <name>Avatar</name>
    <message>
        <location filename="../../ui/customer_card.py" line="86"/>
        <source>Initials</source>
        <translation>Инициалы</translation>
    </message>
</context>
<context>
    <name>CallBar</name>
    <message>
        <location filename="../../ui/call_bar.py" line="32"/>
        <location filename="../../ui/call_bar.py" line="42"/>
        <source>Call</source>
        <translation>Звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="46"/>
        <location filename="../../ui/call_bar.py" line="146"/>
        <source>Caller</source>
        <translation>Звонящий</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="52"/>
        <source>Call state</source>
        <translation>Состояние звонка</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="55"/>
        <source>Call duration</source>
        <translation>Длительность звонка</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="58"/>
        <source>Answer</source>
        <translation>Ответить</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="58"/>
        <source>Answer the call</source>
        <translation>Ответить на звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="60"/>
        <source>Decline</source>
        <translation>Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="60"/>
        <source>Decline the call</source>
        <translation>Отклонить звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="62"/>
        <location filename="../../ui/call_bar.py" line="159"/>
        <source>Hold</source>
        <translation>Удержать</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="62"/>
        <location filename="../../ui/call_bar.py" line="162"/>
        <source>Put the call on hold</source>
        <translation>Поставить звонок на удержание</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="64"/>
        <source>Transfer…</source>
        <translation>Перевести…</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="64"/>
        <source>Transfer the call</source>
        <translation>Перевести звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="66"/>
        <source>Hang up</source>
        <translation>Положить трубку</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="66"/>
        <source>End the call</source>
        <translation>Закончить звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="149"/>
        <source>Incoming call</source>
        <translation>Входящий звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="150"/>
        <source>On the call</source>
        <translation>Идёт разговор</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="151"/>
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="159"/>
        <source>Resume</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="162"/>
        <source>Resume the call</source>
        <translation>Снять звонок с удержания</translation>
    </message>
</context>
<context>
    <name>CannedEditDialog</name>
    <message>
        <location filename="../../ui/canned_manager.py" line="54"/>
        <location filename="../../ui/canned_manager.py" line="55"/>
        <source>Canned response</source>
        <translation>Готовый ответ</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="58"/>
        <source>Who may use it</source>
        <translation>Кому доступен</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="59"/>
        <source>Only me</source>
        <translation>Только мне</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="61"/>
        <source>The whole team</source>
        <translation>Всей команде</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="63"/>
        <source>Shortcut typed after /</source>
        <translation>Сокращение после /</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="67"/>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="72"/>
        <source>Title</source>
        <translation>Название</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="75"/>
        <source>Text</source>
        <translation>Текст</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="78"/>
        <source>Variables: {customer.first_name}, {customer.name}, {operator.name}, {order.last_number}</source>
        <translation>Переменные: {customer.first_name}, {customer.name}, {operator.name}, {order.last_number}</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="84"/>
        <source>Problem</source>
        <translation>Проблема</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="87"/>
        <source>&amp;Who may use it:</source>
        <translation>&amp;Кому доступен:</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="88"/>
        <source>&amp;Shortcut:</source>
        <translation>&amp;Сокращение:</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="89"/>
        <source>&amp;Language:</source>
        <translation>&amp;Язык:</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="90"/>
        <source>&amp;Title:</source>
        <translation>&amp;Название:</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="91"/>
        <source>Te&amp;xt:</source>
        <translation>&amp;Текст:</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="96"/>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="97"/>
        <source>Save the response</source>
        <translation>Сохранить ответ</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="99"/>
        <location filename="../../ui/canned_manager.py" line="100"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="121"/>
        <source>A shortcut is 1 to 32 letters a-z, digits, &apos;-&apos; or &apos;_&apos;.</source>
        <translation>Сокращение — от 1 до 32 латинских букв a-z, цифр, «-» или «_».</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="123"/>
        <source>Give it a title.</source>
        <translation>Укажите название.</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="126"/>
        <source>The text holds 1 to %1 characters.</source>
        <translation>В тексте — от 1 до %1 символов.</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="129"/>
        <source>Unknown variables: %1</source>
        <translation>Неизвестные переменные: %1</translation>
    </message>
</context>
<context>
    <name>CannedManagerDialog</name>
    <message>
        <location filename="../../ui/canned_manager.py" line="160"/>
        <location filename="../../ui/canned_manager.py" line="161"/>
        <location filename="../../ui/canned_manager.py" line="167"/>
        <source>Canned responses</source>
        <translation>Готовые ответы</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="170"/>
        <source>Shortcut</source>
        <translation>Сокращение</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="170"/>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="170"/>
        <source>Title</source>
        <translation>Название</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="170"/>
        <source>For</source>
        <translation>Для</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="174"/>
        <source>&amp;New…</source>
        <translation>&amp;Новый…</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="175"/>
        <source>New canned response</source>
        <translation>Новый готовый ответ</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="177"/>
        <source>&amp;Edit…</source>
        <translation>&amp;Изменить…</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="178"/>
        <source>Edit the canned response</source>
        <translation>Изменить готовый ответ</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="180"/>
        <source>&amp;Delete</source>
        <translation>&amp;Удалить</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="181"/>
        <source>Delete the canned response</source>
        <translation>Удалить готовый ответ</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="183"/>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="184"/>
        <source>Close the canned responses</source>
        <translation>Закрыть готовые ответы</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="203"/>
        <source>the team</source>
        <translation>команды</translation>
    </message>
    <message>
        <location filename="../../ui/canned_manager.py" line="203"/>
        <source>me</source>
        <translation>меня</translation>
    </message>
</context>
<context>
    <name>CannedPopup</name>
    <message>
        <location filename="../../ui/canned_popup.py" line="24"/>
        <source>Canned responses</source>
        <translation>Готовые ответы</translation>
    </message>
    <message>
        <location filename="../../ui/canned_popup.py" line="29"/>
        <source>Matching canned responses</source>
        <translation>Подходящие готовые ответы</translation>
    </message>
    <message>
        <location filename="../../ui/canned_popup.py" line="36"/>
        <source>No canned response matches “%1”.</source>
        <translation>Нет готовых ответов для «%1».</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="95"/>
        <source>Reply channel</source>
        <translation>Канал ответа</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="96"/>
        <source>The channel the reply goes out on</source>
        <translation>Канал, по которому уйдёт ответ</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="106"/>
        <source>E-mail subject</source>
        <translation>Тема письма</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="107"/>
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="112"/>
        <location filename="../../ui/composer.py" line="115"/>
        <source>Templates</source>
        <translation>Шаблоны</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="113"/>
        <source>Reply templates</source>
        <translation>Шаблоны ответов</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="119"/>
        <source>Approved template…</source>
        <translation>Одобренный шаблон…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="121"/>
        <source>Send an approved template</source>
        <translation>Отправить одобренный шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="124"/>
        <source>Send</source>
        <translation>Отправить</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="126"/>
        <source>Send the reply</source>
        <translation>Отправить ответ</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="127"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>Отправить (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="130"/>
        <source>Attach…</source>
        <translation>Прикрепить…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="132"/>
        <source>Attach a file</source>
        <translation>Прикрепить файл</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="133"/>
        <location filename="../../ui/composer.py" line="582"/>
        <source>Attach files to the reply (Ctrl+Shift+U)</source>
        <translation>Прикрепить файлы к ответу (Ctrl+Shift+U)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="142"/>
        <source>Reply</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="144"/>
        <location filename="../../ui/composer.py" line="639"/>
        <source>Write a reply… Ctrl+Enter sends, Enter starts a new line</source>
        <translation>Напишите ответ… Ctrl+Enter — отправить, Enter — новая строка</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="154"/>
        <source>Reply status</source>
        <translation>Состояние ответа</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="209"/>
        <source>(claimed, not verified)</source>
        <translation>(заявлен, не подтверждён)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="214"/>
        <source>The customer typed this address; a reply may reach someone else</source>
        <translation>Клиент ввёл этот адрес сам; ответ может попасть к другому человеку</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="324"/>
        <source>Attach files</source>
        <translation>Прикрепить файлы</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="539"/>
        <source>The reply is too long for %1: at most %2 characters.</source>
        <translation>Ответ слишком длинный для канала %1: не более %2 символов.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="548"/>
        <source>SMS parts: %1</source>
        <translation>Частей SMS: %1</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="549"/>
        <source>%1 characters left in this one</source>
        <translation>в последней осталось символов: %1</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="553"/>
        <source>Cyrillic or emoji: %1 per part</source>
        <translation>кириллица или эмодзи: %1 на часть</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="568"/>
        <source>%1 cannot carry files.</source>
        <translation>%1: файлы не передаются.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="604"/>
        <source>Open a conversation to reply.</source>
        <translation>Откройте обращение, чтобы ответить.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="609"/>
        <source>This customer has no channel a reply can go to.</source>
        <translation>У этого клиента нет канала, по которому можно отправить ответ.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="612"/>
        <source>Replace %1 before sending: the customer would see it as it is.</source>
        <translation>Замените %1 перед отправкой: клиент увидит это как есть.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="621"/>
        <source>Sending waits until the files are uploaded.</source>
        <translation>Отправка подождёт, пока загрузятся файлы.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="626"/>
        <source>More than 24 hours since the customer last wrote on %1: only an approved template may go out (Approved template…).</source>
        <translation>Клиент писал в %1 больше 24 часов назад: можно отправить только одобренный шаблон («Одобренный шаблон…»).</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="637"/>
        <source>Ctrl+Enter sends · Enter starts a new line</source>
        <translation>Ctrl+Enter — отправить · Enter — новая строка</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="106"/>
        <source>Sign in to OmniDesk</source>
        <translation>Вход в OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="107"/>
        <location filename="../../ui/dialogs.py" line="141"/>
        <source>Sign in</source>
        <translation>Войти</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="117"/>
        <source>Gateway address</source>
        <translation>Адрес шлюза</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="121"/>
        <source>Set by your organisation</source>
        <translation>Задаётся вашей организацией</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="123"/>
        <source>User name</source>
        <translation>Имя пользователя</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="126"/>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="127"/>
        <source>&amp;Remember me</source>
        <translation>&amp;Запомнить меня</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="137"/>
        <source>&amp;Gateway:</source>
        <translation>&amp;Шлюз:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="138"/>
        <source>&amp;User:</source>
        <translation>&amp;Пользователь:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="139"/>
        <source>&amp;Password:</source>
        <translation>П&amp;ароль:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="128"/>
        <source>Remember me on this computer</source>
        <translation>Запомнить меня на этом компьютере</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../../ui/conversation_list.py" line="157"/>
        <source>Conversations</source>
        <translation>Обращения</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="163"/>
        <source>Show channel</source>
        <translation>Фильтр по каналу</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="164"/>
        <source>Show conversations of one channel</source>
        <translation>Показать обращения только одного канала</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="165"/>
        <source>Channels</source>
        <translation>Каналы</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="166"/>
        <source>All channels</source>
        <translation>Все каналы</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="171"/>
        <source>Show state</source>
        <translation>Фильтр по состоянию</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="172"/>
        <source>Show conversations in one state</source>
        <translation>Показать обращения только в одном состоянии</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="173"/>
        <source>States</source>
        <translation>Состояния</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="174"/>
        <source>All states</source>
        <translation>Все состояния</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="176"/>
        <source>Waiting</source>
        <translation>Ожидание</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="177"/>
        <source>Offered</source>
        <translation>Предложено</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="178"/>
        <source>Active</source>
        <translation>В работе</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="179"/>
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="180"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="181"/>
        <source>Snoozed</source>
        <translation>Отложенные</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="187"/>
        <source>Show tag</source>
        <translation>Показать метку</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="188"/>
        <source>Show conversations with one tag</source>
        <translation>Показать обращения с одной меткой</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="189"/>
        <source>Tags</source>
        <translation>Метки</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="190"/>
        <source>All tags</source>
        <translation>Все метки</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="193"/>
        <source>Show priority</source>
        <translation>Показать приоритет</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="194"/>
        <source>Show only the high and urgent conversations</source>
        <translation>Показать только срочные и высокоприоритетные обращения</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="195"/>
        <source>Priorities</source>
        <translation>Приоритеты</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="196"/>
        <source>Any priority</source>
        <translation>Любой приоритет</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="197"/>
        <source>High and urgent</source>
        <translation>Высокий и срочный</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="198"/>
        <source>&amp;Channel:</source>
        <translation>&amp;Канал:</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="200"/>
        <source>S&amp;tate:</source>
        <translation>&amp;Состояние:</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="202"/>
        <source>T&amp;ag:</source>
        <translation>&amp;Метка:</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="204"/>
        <source>&amp;Priority:</source>
        <translation>&amp;Приоритет:</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="212"/>
        <source>Conversation lists</source>
        <translation>Списки обращений</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="214"/>
        <source>My conversations</source>
        <translation>Мои обращения</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="214"/>
        <source>Queue</source>
        <translation>Очередь</translation>
    </message>
</context>
<context>
    <name>ConversationModel</name>
    <message>
        <location filename="../../ui/conversation_model.py" line="194"/>
        <source>%1 d</source>
        <translation>%1 дн.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="228"/>
        <source>Waiting</source>
        <translation>Ожидание</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="229"/>
        <source>Offered</source>
        <translation>Предложено</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="230"/>
        <source>Offered to you</source>
        <translation>Предложено вам</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="231"/>
        <source>Active</source>
        <translation>В работе</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="232"/>
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="233"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="236"/>
        <source>within the service level</source>
        <translation>в пределах уровня сервиса</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="237"/>
        <source>service level at risk</source>
        <translation>уровень сервиса под угрозой</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="238"/>
        <source>service level missed</source>
        <translation>уровень сервиса нарушен</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="241"/>
        <source>Channel</source>
        <translation>Канал</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="242"/>
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="243"/>
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="244"/>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="245"/>
        <source>Time</source>
        <translation>Время</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="252"/>
        <source>First reply</source>
        <translation>Первый ответ</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="253"/>
        <source>Next reply</source>
        <translation>Следующий ответ</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="255"/>
        <source>%1 due in %2 (target %3)</source>
        <translation>%1 — через %2 (норматив %3)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="256"/>
        <source>%1 overdue by %2 (target %3)</source>
        <translation>%1 просрочен на %2 (норматив %3)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="257"/>
        <source>Handling time: %1</source>
        <translation>Время обработки: %1</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="258"/>
        <source>unread</source>
        <translation>не прочитано</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="259"/>
        <source>Customer #%1</source>
        <translation>Клиент №%1</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="260"/>
        <source>Urgent</source>
        <translation>Срочно</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="260"/>
        <source>High</source>
        <translation>Высокий</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="261"/>
        <source>Snoozed until %1</source>
        <translation>Отложено до %1</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="262"/>
        <source>Snoozed until the customer replies</source>
        <translation>Отложено до ответа клиента</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="263"/>
        <source>Tags: %1</source>
        <translation>Метки: %1</translation>
    </message>
</context>
<context>
    <name>CustomerCard</name>
    <message>
        <location filename="../../ui/customer_card.py" line="70"/>
        <source>%1 min</source>
        <translation>%1 мин</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="74"/>
        <source>%1 h</source>
        <translation>%1 ч</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="75"/>
        <source>%1 d</source>
        <translation>%1 дн.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="138"/>
        <source>Customer card</source>
        <translation>Карточка клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="146"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="147"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="148"/>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="149"/>
        <source>WhatsApp</source>
        <translation>WhatsApp</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="150"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="153"/>
        <source>Standard</source>
        <translation>Стандарт</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="154"/>
        <source>Premium</source>
        <translation>Премиум</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="155"/>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="156"/>
        <source>New customer</source>
        <translation>Новый клиент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="169"/>
        <location filename="../../ui/customer_card.py" line="337"/>
        <source>No customer open</source>
        <translation>Клиент не выбран</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="170"/>
        <source>Customer name</source>
        <translation>Имя клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="175"/>
        <source>Segment</source>
        <translation>Сегмент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="177"/>
        <source>Last CSAT</source>
        <translation>Последняя оценка CSAT</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="192"/>
        <source>&amp;Edit…</source>
        <translation>&amp;Изменить…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="194"/>
        <source>Edit the customer&apos;s details</source>
        <translation>Изменить данные клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="195"/>
        <source>Edit the customer&apos;s details (Ctrl+Shift+E)</source>
        <translation>Изменить данные клиента (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="197"/>
        <source>&amp;Write first…</source>
        <translation>&amp;Написать первым…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="199"/>
        <source>Write first to the customer</source>
        <translation>Написать клиенту первым</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="201"/>
        <source>Start a conversation with the customer (Ctrl+Shift+N)</source>
        <translation>Начать обращение с клиентом (Ctrl+Shift+N)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="204"/>
        <source>&amp;Log visit or call…</source>
        <translation>&amp;Визит или звонок…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="206"/>
        <source>Log a visit or an outside call</source>
        <translation>Записать визит или звонок вне системы</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="208"/>
        <source>Log a visit in person or a call outside the system (Ctrl+Shift+L)</source>
        <translation>Записать личный визит или звонок вне системы (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="211"/>
        <source>&amp;Merge with…</source>
        <translation>&amp;Объединить с…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="213"/>
        <source>Merge with another customer</source>
        <translation>Объединить с другим клиентом</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="215"/>
        <source>This customer is someone else on the desk too: make them one (Ctrl+Shift+M)</source>
        <translation>Этот клиент уже есть под другой карточкой: объединить их (Ctrl+Shift+M)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="228"/>
        <source>Edit customer…</source>
        <translation>Изменить клиента…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="230"/>
        <source>Write first…</source>
        <translation>Написать первым…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="233"/>
        <source>Log visit or call…</source>
        <translation>Записать визит или звонок…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="235"/>
        <source>Merge with…</source>
        <translation>Объединить с…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="238"/>
        <source>Problem</source>
        <translation>Проблема</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="242"/>
        <source>The same person?</source>
        <translation>Это один человек?</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="246"/>
        <source>Possible duplicates and merges</source>
        <translation>Возможные дубли и объединения</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="254"/>
        <location filename="../../ui/customer_card.py" line="258"/>
        <source>Contacts</source>
        <translation>Контакты</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="267"/>
        <location filename="../../ui/customer_card.py" line="270"/>
        <source>Products</source>
        <translation>Продукты</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="272"/>
        <location filename="../../ui/customer_card.py" line="276"/>
        <source>Purchases</source>
        <translation>Покупки</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="277"/>
        <source>Order</source>
        <translation>Заказ</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="277"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="277"/>
        <source>Amount</source>
        <translation>Сумма</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="284"/>
        <source>Enter or a double click opens the order</source>
        <translation>Enter или двойной щелчок открывает заказ</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="289"/>
        <location filename="../../ui/customer_card.py" line="293"/>
        <source>Open requests</source>
        <translation>Открытые обращения</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="361"/>
        <location filename="../../ui/customer_card.py" line="402"/>
        <location filename="../../ui/customer_card.py" line="431"/>
        <source>(no name)</source>
        <translation>(без имени)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="369"/>
        <source>Last CSAT: %1 of 5</source>
        <translation>Последняя оценка CSAT: %1 из 5</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="380"/>
        <source>Customer %1 was merged into this one.</source>
        <translation>Клиент %1 объединён с этим.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="396"/>
        <source>typed in by the customer or an operator</source>
        <translation>введён клиентом или оператором</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="397"/>
        <source>proved by a channel</source>
        <translation>подтверждён каналом</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="404"/>
        <source>%1 has the same %2 %3 (%4)</source>
        <translation>%1: тот же контакт — %2 %3 (%4)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="411"/>
        <source>Merge</source>
        <translation>Объединить</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="412"/>
        <source>Merge with %1</source>
        <translation>Объединить с %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="416"/>
        <source>Not the same</source>
        <translation>Это разные люди</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="417"/>
        <source>%1 is another person</source>
        <translation>%1 — другой человек</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="425"/>
        <source>name</source>
        <translation>имя</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="426"/>
        <source>segment</source>
        <translation>сегмент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="427"/>
        <source>language</source>
        <translation>язык</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="432"/>
        <source>Merged with %1</source>
        <translation>Объединён с %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="438"/>
        <source>theirs differed, kept this one&apos;s: %1</source>
        <translation>у второго было иначе, оставлено как здесь: %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="441"/>
        <source>Undo merge</source>
        <translation>Разъединить</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="442"/>
        <source>Undo the merge with %1</source>
        <translation>Отменить объединение с %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="470"/>
        <source>Merging…</source>
        <translation>Объединяем…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="479"/>
        <source>Undoing the merge…</source>
        <translation>Разъединяем…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="503"/>
        <location filename="../../ui/customer_card.py" line="504"/>
        <source>verified</source>
        <translation>подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="505"/>
        <source>Confirmed by the channel the customer wrote from</source>
        <translation>Подтверждено каналом, из которого писал клиент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="507"/>
        <source>claimed</source>
        <translation>со слов клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="508"/>
        <source>claimed, not verified</source>
        <translation>со слов клиента, не подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="510"/>
        <source>The customer typed this but has not written from it: it is not confirmed, and a reply there may reach someone else</source>
        <translation>Клиент ввёл это сам, но не писал оттуда: контакт не подтверждён, и ответ туда может попасть к другому человеку</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="514"/>
        <source>not confirmed</source>
        <translation>не подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="515"/>
        <source>not confirmed yet</source>
        <translation>ещё не подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="638"/>
        <location filename="../../ui/customer_card.py" line="651"/>
        <source>Saving…</source>
        <translation>Сохранение…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="674"/>
        <source>Sending…</source>
        <translation>Отправка…</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="734"/>
        <source>The order could not be opened: %1</source>
        <translation>Не удалось открыть заказ: %1</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="739"/>
        <source>A conversation on this channel is open already.</source>
        <translation>Обращение в этом канале уже открыто.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="742"/>
        <source>Not saved: %1</source>
        <translation>Не сохранено: %1</translation>
    </message>
</context>
<context>
    <name>CustomerEditDialog</name>
    <message>
        <location filename="../../ui/customer_edit.py" line="49"/>
        <source>Type a name.</source>
        <translation>Введите имя.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="51"/>
        <source>A name holds at most %1 characters.</source>
        <translation>Имя — не длиннее %1 символов.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="57"/>
        <source>A name cannot hold control characters.</source>
        <translation>В имени не может быть управляющих символов.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="105"/>
        <source>Edit customer</source>
        <translation>Изменение клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="106"/>
        <source>Edit customer details</source>
        <translation>Изменение данных клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="107"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="107"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="109"/>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="110"/>
        <source>WhatsApp</source>
        <translation>WhatsApp</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="111"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="114"/>
        <source>New customer</source>
        <translation>Новый клиент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="115"/>
        <source>Standard</source>
        <translation>Стандарт</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="116"/>
        <source>Premium</source>
        <translation>Премиум</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="117"/>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="119"/>
        <source>Russian</source>
        <translation>Русский</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="119"/>
        <source>English</source>
        <translation>Английский</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="123"/>
        <source>Customer name</source>
        <translation>Имя клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="127"/>
        <source>Segment</source>
        <translation>Сегмент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="130"/>
        <source>Segments</source>
        <translation>Сегменты</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="134"/>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="137"/>
        <source>Languages</source>
        <translation>Языки</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="142"/>
        <source>Contacts</source>
        <translation>Контакты</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="153"/>
        <source>Kind of the new contact</source>
        <translation>Тип нового контакта</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="154"/>
        <source>Kinds of contact</source>
        <translation>Типы контактов</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="159"/>
        <source>New contact</source>
        <translation>Новый контакт</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="160"/>
        <source>+7 916 123-45-67 or name@example.ru</source>
        <translation>+7 916 123-45-67 или name@example.ru</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="163"/>
        <source>&amp;Add</source>
        <translation>&amp;Добавить</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="165"/>
        <source>Add the contact</source>
        <translation>Добавить контакт</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="168"/>
        <source>&amp;Remove</source>
        <translation>&amp;Удалить</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="170"/>
        <source>Remove the chosen contact</source>
        <translation>Удалить выбранный контакт</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="182"/>
        <source>&amp;Name:</source>
        <translation>&amp;Имя:</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="183"/>
        <source>&amp;Segment:</source>
        <translation>&amp;Сегмент:</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="184"/>
        <source>&amp;Language:</source>
        <translation>&amp;Язык:</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="189"/>
        <source>&amp;Contacts (typed ones are marked as claimed):</source>
        <translation>&amp;Контакты (введённые вручную помечаются как заявленные):</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="196"/>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="197"/>
        <source>Save the customer&apos;s details</source>
        <translation>Сохранить данные клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="200"/>
        <location filename="../../ui/customer_edit.py" line="201"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="231"/>
        <source>verified</source>
        <translation>подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="233"/>
        <source>claimed</source>
        <translation>со слов клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="235"/>
        <source>not confirmed</source>
        <translation>не подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="263"/>
        <source>Type a phone number or an e-mail address to add.</source>
        <translation>Введите номер телефона или адрес почты.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="268"/>
        <source>This is not an e-mail address.</source>
        <translation>Это не адрес электронной почты.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="271"/>
        <source>This is not a phone number.</source>
        <translation>Это не номер телефона.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="274"/>
        <source>This contact is already in the list.</source>
        <translation>Этот контакт уже есть в списке.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="278"/>
        <source>A customer has at most %1 contacts: remove one first.</source>
        <translation>У клиента не больше %1 контактов: сначала удалите один.</translation>
    </message>
    <message>
        <location filename="../../ui/customer_edit.py" line="294"/>
        <source>A contact the channel confirmed cannot be removed.</source>
        <translation>Контакт, подтверждённый каналом, удалить нельзя.</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../../ui/dialogs.py" line="61"/>
        <location filename="../../ui/triage_dialogs.py" line="62"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
</context>
<context>
    <name>FeedDelegate</name>
    <message>
        <location filename="../../ui/feed_view.py" line="204"/>
        <source>▶ Recording</source>
        <translation>▶ Запись</translation>
    </message>
</context>
<context>
    <name>FeedModel</name>
    <message>
        <location filename="../../ui/feed_model.py" line="269"/>
        <source>Visit</source>
        <translation>Визит</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="241"/>
        <source>Sending…</source>
        <translation>Отправка…</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="242"/>
        <source>Sent</source>
        <translation>Отправлено</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="243"/>
        <source>Delivered</source>
        <translation>Доставлено</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="244"/>
        <source>Read</source>
        <translation>Прочитано</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="245"/>
        <source>Not delivered</source>
        <translation>Не доставлено</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="249"/>
        <source>Incoming</source>
        <translation>Вх.</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="250"/>
        <source>Outgoing</source>
        <translation>Исх.</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="251"/>
        <source>Internal</source>
        <translation>Внутр.</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="254"/>
        <source>message</source>
        <translation>сообщение</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="255"/>
        <source>e-mail</source>
        <translation>письмо</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="256"/>
        <source>call</source>
        <translation>звонок</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="257"/>
        <source>note</source>
        <translation>заметка</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="258"/>
        <source>status change</source>
        <translation>смена статуса</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="259"/>
        <source>purchase</source>
        <translation>покупка</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="260"/>
        <source>visit</source>
        <translation>визит</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="261"/>
        <source>rating</source>
        <translation>оценка</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="263"/>
        <source>Today</source>
        <translation>Сегодня</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="264"/>
        <source>Yesterday</source>
        <translation>Вчера</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="265"/>
        <source>Incoming call</source>
        <translation>Входящий звонок</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="266"/>
        <source>Outgoing call</source>
        <translation>Исходящий звонок</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="267"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="268"/>
        <source>Order %1</source>
        <translation>Заказ %1</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="270"/>
        <source>Status changed</source>
        <translation>Статус изменён</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="271"/>
        <source>Recording</source>
        <translation>Запись</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="272"/>
        <source>Attachments: %1</source>
        <translation>Вложения: %1</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="273"/>
        <source>Rating %1 of 5</source>
        <translation>Оценка %1 из 5</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="274"/>
        <source>Not delivered: %1</source>
        <translation>Не доставлено: %1</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="276"/>
        <source>%1 min</source>
        <translation>%1 мин</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="277"/>
        <source>▸ quoted text and signature folded (%1 lines; hover to read)</source>
        <translation>▸ цитата и подпись свёрнуты (строк: %1; наведите, чтобы прочитать)</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="278"/>
        <source>happened %1</source>
        <translation>было %1</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="279"/>
        <source>↪ went on here from %1:</source>
        <translation>↪ продолжил здесь после канала «%1»:</translation>
    </message>
</context>
<context>
    <name>FeedView</name>
    <message>
        <location filename="../../ui/feed_view.py" line="847"/>
        <source>Customer feed</source>
        <translation>Лента клиента</translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="849"/>
        <source>The customer&apos;s messages, e-mails, calls and orders, oldest first</source>
        <translation>Сообщения, письма, звонки и заказы клиента, сначала старые</translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="867"/>
        <source>Jump to the new messages</source>
        <translation>Перейти к новым сообщениям</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/feed_view.py" line="1003"/>
        <source>New messages: %n ↓</source>
        <translation>
            <numerusform>%n новое сообщение ↓</numerusform>
            <numerusform>%n новых сообщения ↓</numerusform>
            <numerusform>%n новых сообщений ↓</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="1043"/>
        <source>another operator is serving this customer</source>
        <translation>клиента обслуживает другой оператор</translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="1044"/>
        <source>the file is no longer there</source>
        <translation>файла больше нет</translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="1045"/>
        <source>the gateway is not reachable</source>
        <translation>шлюз недоступен</translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="1051"/>
        <source>Could not open %1: %2</source>
        <translation>Не удалось открыть %1: %2</translation>
    </message>
</context>
<context>
    <name>HintsPanel</name>
    <message>
        <location filename="../../ui/hints_panel.py" line="160"/>
        <location filename="../../ui/hints_panel.py" line="164"/>
        <source>Next best actions</source>
        <translation>Рекомендуемые действия</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="170"/>
        <source>Suggested next actions</source>
        <translation>Предлагаемые действия</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="172"/>
        <source>Enter accepts the selected suggestion, Delete dismisses it</source>
        <translation>Enter — принять выбранную подсказку, Delete — отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="174"/>
        <location filename="../../ui/hints_panel.py" line="233"/>
        <source>Why: %1</source>
        <translation>Почему: %1</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="183"/>
        <source>No suggestions for this customer.</source>
        <translation>Для этого клиента подсказок нет.</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="189"/>
        <source>Accept</source>
        <translation>Принять</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="190"/>
        <source>Accept the suggestion</source>
        <translation>Принять подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="191"/>
        <source>Accept the selected suggestion (Ctrl+Shift+A)</source>
        <translation>Принять выбранную подсказку (Ctrl+Shift+A)</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="193"/>
        <source>Dismiss</source>
        <translation>Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="194"/>
        <source>Dismiss the suggestion</source>
        <translation>Отклонить подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="195"/>
        <source>Dismiss the selected suggestion (Ctrl+Shift+D)</source>
        <translation>Отклонить выбранную подсказку (Ctrl+Shift+D)</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../ui/labels.py" line="26"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="27"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="28"/>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="29"/>
        <source>WhatsApp</source>
        <translation>WhatsApp</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="30"/>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="31"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="32"/>
        <source>Visit</source>
        <translation>Визит</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="39"/>
        <source>Resolved</source>
        <translation>Решено</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="40"/>
        <source>Information given</source>
        <translation>Дана консультация</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="41"/>
        <source>Order status</source>
        <translation>Статус заказа</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="42"/>
        <source>Complaint</source>
        <translation>Жалоба</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="43"/>
        <source>Sale</source>
        <translation>Продажа</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="44"/>
        <source>Technical issue</source>
        <translation>Техническая проблема</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="45"/>
        <source>Callback arranged</source>
        <translation>Назначен обратный звонок</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="46"/>
        <source>Callback requested</source>
        <translation>Запрошен обратный звонок</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="47"/>
        <source>Escalated</source>
        <translation>Эскалировано</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="48"/>
        <source>Wrong number</source>
        <translation>Ошиблись номером</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="49"/>
        <source>Spam</source>
        <translation>Спам</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="50"/>
        <source>No answer</source>
        <translation>Нет ответа</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="51"/>
        <source>Voicemail</source>
        <translation>Голосовая почта</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="52"/>
        <source>Busy</source>
        <translation>Занято</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="53"/>
        <source>Missed</source>
        <translation>Пропущен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="60"/>
        <source>created</source>
        <translation>создан</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="61"/>
        <source>paid</source>
        <translation>оплачен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="62"/>
        <source>shipped</source>
        <translation>отправлен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="63"/>
        <source>delivered</source>
        <translation>доставлен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="64"/>
        <source>returned</source>
        <translation>возвращён</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="65"/>
        <source>cancelled</source>
        <translation>отменён</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="66"/>
        <source>open</source>
        <translation>открыто</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="67"/>
        <source>pending</source>
        <translation>в ожидании</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="68"/>
        <source>escalated</source>
        <translation>эскалировано</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="69"/>
        <source>closed</source>
        <translation>закрыто</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="76"/>
        <source>the channel refused it</source>
        <translation>канал не принял сообщение</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="86"/>
        <source>reach them instead: %1</source>
        <translation>можно связаться иначе: %1</translation>
    </message>
</context>
<context>
    <name>LogTouchpointDialog</name>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="33"/>
        <location filename="../../ui/log_touchpoint.py" line="34"/>
        <source>Log a visit or call</source>
        <translation>Запись визита или звонка</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="38"/>
        <source>What happened</source>
        <translation>Что было</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="39"/>
        <source>Kinds of touchpoint</source>
        <translation>Виды обращений</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="40"/>
        <source>Visit in person</source>
        <translation>Личный визит</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="41"/>
        <source>Phone call outside the system</source>
        <translation>Звонок вне системы</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="44"/>
        <location filename="../../ui/log_touchpoint.py" line="45"/>
        <source>Who made contact</source>
        <translation>Кто связался</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="46"/>
        <source>The customer came or called</source>
        <translation>Клиент пришёл или позвонил</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="47"/>
        <source>We called the customer</source>
        <translation>Мы позвонили клиенту</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="50"/>
        <source>When it happened</source>
        <translation>Когда это было</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="58"/>
        <source>Duration in minutes</source>
        <translation>Длительность в минутах</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="60"/>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="63"/>
        <source>Outcome</source>
        <translation>Итог</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="64"/>
        <source>Outcomes</source>
        <translation>Итоги</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="70"/>
        <source>Summary</source>
        <translation>Суть</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="71"/>
        <source>What it was about and what was agreed</source>
        <translation>О чём шла речь и о чём договорились</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="75"/>
        <source>&amp;What:</source>
        <translation>&amp;Что:</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="76"/>
        <source>&amp;Contact:</source>
        <translation>&amp;Контакт:</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="77"/>
        <source>W&amp;hen:</source>
        <translation>Ко&amp;гда:</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="78"/>
        <source>&amp;Duration:</source>
        <translation>&amp;Длительность:</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="79"/>
        <source>&amp;Outcome:</source>
        <translation>&amp;Итог:</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="80"/>
        <source>&amp;Summary:</source>
        <translation>&amp;Суть:</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="87"/>
        <source>Log it</source>
        <translation>Записать</translation>
    </message>
    <message>
        <location filename="../../ui/log_touchpoint.py" line="87"/>
        <source>Log the touchpoint</source>
        <translation>Записать обращение</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="295"/>
        <location filename="../../ui/main_window.py" line="296"/>
        <location filename="../../ui/main_window.py" line="376"/>
        <location filename="../../ui/main_window.py" line="718"/>
        <location filename="../../ui/main_window.py" line="1299"/>
        <source>OmniDesk</source>
        <translation>OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="415"/>
        <source>The gateway did not answer in time; try again.</source>
        <translation>Шлюз не ответил вовремя; повторите попытку.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="416"/>
        <source>Someone else acted on this conversation first, or it changed.</source>
        <translation>Другой оператор уже занялся этим обращением, или оно изменилось.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="418"/>
        <source>Not allowed: another operator serves this customer, or the queue needs other skills.</source>
        <translation>Не разрешено: клиента обслуживает другой оператор, или для очереди нужны другие навыки.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="421"/>
        <source>Not found: it was closed or removed meanwhile.</source>
        <translation>Не найдено: за это время закрыто или удалено.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="422"/>
        <source>No free place for this channel (or the colleague is busy).</source>
        <translation>Нет свободных мест для этого канала (или коллега занят).</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="424"/>
        <source>Too many actions at once; it is retried in a moment.</source>
        <translation>Слишком много действий одновременно; повторная попытка — через мгновение.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="425"/>
        <source>The gateway does not support this yet.</source>
        <translation>Шлюз пока это не поддерживает.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="426"/>
        <source>The gateway failed; it is retried.</source>
        <translation>Сбой шлюза; выполняется повторная попытка.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="427"/>
        <source>The gateway refused it: %1</source>
        <translation>Шлюз отклонил запрос: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="431"/>
        <source>Decline</source>
        <translation>Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="432"/>
        <source>Hold</source>
        <translation>Удержать</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="433"/>
        <source>Resume</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="434"/>
        <source>End</source>
        <translation>Закончить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="436"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="442"/>
        <source>History</source>
        <translation>История</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="443"/>
        <source>Suggestion</source>
        <translation>Подсказка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="447"/>
        <source>The offer was withdrawn because you are not available.</source>
        <translation>Обращение отозвано: вы не на линии.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="448"/>
        <source>A colleague took the conversation.</source>
        <translation>Обращение взял коллега.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="452"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="439"/>
        <location filename="../../ui/main_window.py" line="469"/>
        <source>Presence</source>
        <translation>Статус оператора</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="308"/>
        <source>The customer&apos;s messages appear here.</source>
        <translation>Здесь появятся сообщения клиента.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="314"/>
        <source>The reply editor appears here.</source>
        <translation>Здесь появится редактор ответа.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="348"/>
        <source>Connection problem</source>
        <translation>Проблема со связью</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="406"/>
        <source>Available</source>
        <translation>На линии</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="407"/>
        <source>Break</source>
        <translation>Перерыв</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="408"/>
        <source>After-call work</source>
        <translation>Поствызывная обработка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="413"/>
        <source>The gateway is unreachable; your replies are kept and sent when it is back.</source>
        <translation>Шлюз недоступен; ваши ответы сохранены и уйдут, когда связь вернётся.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="423"/>
        <source>The customer cannot be reached on this channel.</source>
        <translation>С клиентом нельзя связаться по этому каналу.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="460"/>
        <source>Signing in…</source>
        <translation>Вход…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="462"/>
        <source>Operator</source>
        <translation>Оператор</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="470"/>
        <source>Your presence (Ctrl+Shift+P: next)</source>
        <translation>Ваш статус (Ctrl+Shift+P — следующий)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="471"/>
        <source>Presence choices</source>
        <translation>Варианты статуса</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="479"/>
        <source>Time in this presence</source>
        <translation>Время в этом статусе</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="487"/>
        <source>Connection</source>
        <translation>Связь</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="489"/>
        <location filename="../../ui/main_window.py" line="1255"/>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="491"/>
        <source>Connection state</source>
        <translation>Состояние связи</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="503"/>
        <source>Customer search</source>
        <translation>Поиск клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="437"/>
        <source>Reply</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="440"/>
        <source>Customer card</source>
        <translation>Карточка клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="567"/>
        <source>&amp;Conversation</source>
        <translation>&amp;Обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="430"/>
        <source>Accept</source>
        <translation>Принять</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="441"/>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1253"/>
        <source>Online</source>
        <translation>В сети</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="409"/>
        <location filename="../../ui/main_window.py" line="1273"/>
        <source>Offline</source>
        <translation>Не в сети</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="446"/>
        <source>The offer timed out and went back to the queue.</source>
        <translation>Время на принятие истекло, обращение вернулось в очередь.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="504"/>
        <source>Find a customer: phone, e-mail, name (Ctrl+K)</source>
        <translation>Найти клиента: телефон, эл. почта, имя (Ctrl+K)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="516"/>
        <source>Messages</source>
        <translation>Сообщения</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="519"/>
        <source>Commands waiting to be sent</source>
        <translation>Действия, ожидающие отправки</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="551"/>
        <source>&amp;OmniDesk</source>
        <translation>&amp;OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="553"/>
        <source>Sign &amp;in…</source>
        <translation>&amp;Войти…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="556"/>
        <source>Sign &amp;out</source>
        <translation>В&amp;ыйти из учётной записи</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="559"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Настройки…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="562"/>
        <source>&amp;Canned responses…</source>
        <translation>&amp;Готовые ответы…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="565"/>
        <source>&amp;Quit</source>
        <translation>В&amp;ыход</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="569"/>
        <source>&amp;Accept</source>
        <translation>&amp;Принять</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="572"/>
        <source>&amp;Decline</source>
        <translation>&amp;Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="576"/>
        <source>&amp;Hold / resume</source>
        <translation>&amp;Удержать / продолжить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="579"/>
        <source>&amp;Transfer…</source>
        <translation>Пере&amp;вести…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="582"/>
        <source>&amp;End / hang up</source>
        <translation>&amp;Закончить / положить трубку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="585"/>
        <source>&amp;Wrap up…</source>
        <translation>Завер&amp;шить…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="587"/>
        <source>&amp;Note…</source>
        <translation>За&amp;метка…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="590"/>
        <source>&amp;Go</source>
        <translation>&amp;Переход</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="592"/>
        <source>&amp;Find a customer</source>
        <translation>&amp;Найти клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="595"/>
        <source>&amp;Conversations</source>
        <translation>&amp;Обращения</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="598"/>
        <source>Next &amp;presence</source>
        <translation>Следующий &amp;статус</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="601"/>
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="603"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="606"/>
        <source>Open the customer &amp;web chat</source>
        <translation>Открыть &amp;веб-чат для клиентов</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="619"/>
        <source>Accept the offered or waiting conversation</source>
        <translation>Принять предложенное или ожидающее обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="620"/>
        <source>Decline the offered conversation</source>
        <translation>Отклонить предложенное обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="621"/>
        <source>Up / Down</source>
        <translation>Вверх / Вниз</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="621"/>
        <source>Move through the conversations</source>
        <translation>Перемещение по обращениям</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="622"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="622"/>
        <source>Open the conversation and go to the reply</source>
        <translation>Открыть обращение и перейти к ответу</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="623"/>
        <source>Go to the n-th conversation of the list</source>
        <translation>Перейти к n-му обращению в списке</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="624"/>
        <source>Switch between My conversations and Queue</source>
        <translation>Переключиться между вкладками «Мои обращения» и «Очередь»</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="625"/>
        <source>Go to the conversation list</source>
        <translation>Перейти к списку обращений</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="626"/>
        <source>Put on hold, or resume (a running call first)</source>
        <translation>Поставить на удержание или продолжить (в первую очередь — текущий звонок)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="627"/>
        <source>Transfer to a queue or a colleague</source>
        <translation>Перевести в очередь или коллеге</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="628"/>
        <source>End the conversation (hang up a call)</source>
        <translation>Закончить обращение (положить трубку)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="629"/>
        <source>Wrap up: disposition and resolution</source>
        <translation>Завершение: итог и решение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="630"/>
        <source>Add an internal note</source>
        <translation>Добавить внутреннюю заметку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="631"/>
        <source>Tags of the conversation</source>
        <translation>Метки обращения</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="632"/>
        <source>Snooze the conversation</source>
        <translation>Отложить обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="633"/>
        <source>Find a customer by phone, e-mail or name</source>
        <translation>Найти клиента по телефону, эл. почте или имени</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="634"/>
        <source>Available → Break → After-call work</source>
        <translation>На линии → Перерыв → Поствызывная обработка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="635"/>
        <source>Accept the selected suggestion</source>
        <translation>Принять выбранную подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="636"/>
        <source>Dismiss the selected suggestion</source>
        <translation>Отклонить выбранную подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="637"/>
        <source>Enter / Delete</source>
        <translation>Enter / Delete</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="637"/>
        <source>Accept / dismiss the focused suggestion</source>
        <translation>Принять / отклонить подсказку в фокусе</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="638"/>
        <source>Send the reply; finish a dialog</source>
        <translation>Отправить ответ; подтвердить диалоговое окно</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="639"/>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="640"/>
        <source>This list</source>
        <translation>Этот список</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="641"/>
        <location filename="../../ui/main_window.py" line="1536"/>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="656"/>
        <source>Template: %1</source>
        <translation>Шаблон: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="768"/>
        <source>New conversation: %1 (%2). A accepts, D declines.</source>
        <translation>Новое обращение: %1 (%2). A — принять, D — отклонить.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="773"/>
        <source>New conversation</source>
        <translation>Новое обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="779"/>
        <source>The offer was withdrawn.</source>
        <translation>Обращение отозвано.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="795"/>
        <source>Offers timed out one after another, so you were put on a break. Set yourself Available when you are back.</source>
        <translation>Несколько обращений подряд не были приняты вовремя, поэтому вам установлен перерыв. Когда вернётесь, выберите статус «Доступен».</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="799"/>
        <source>You are on a break</source>
        <translation>У вас перерыв</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="825"/>
        <source>Too many sign-in attempts. OmniDesk signs in again by itself in %1 s.</source>
        <translation>Слишком много попыток входа. OmniDesk войдёт сам через %1 с.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="828"/>
        <source>Wrong user name or password.</source>
        <translation>Неверное имя пользователя или пароль.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="829"/>
        <source>Your saved sign-in is no longer valid. Sign in again.</source>
        <translation>Сохранённый вход больше не действует. Войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="830"/>
        <source>Your sign-in has expired. Sign in again.</source>
        <translation>Срок входа истёк. Войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="832"/>
        <source>Your session was ended by an administrator or from another window. Sign in again.</source>
        <translation>Сеанс завершён администратором или из другого окна. Войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="835"/>
        <source>Your account was deactivated. Ask your administrator to activate it.</source>
        <translation>Учётная запись отключена. Попросите администратора включить её.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="837"/>
        <source>You signed out.</source>
        <translation>Вы вышли.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="839"/>
        <source>You are signed in on too many windows. Close one, then sign in again.</source>
        <translation>Вы вошли в слишком многих окнах. Закройте одно и войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="842"/>
        <source>This OmniDesk is too old for the gateway. Ask IT for an update.</source>
        <translation>Эта версия OmniDesk слишком старая для шлюза. Попросите ИТ-отдел обновить её.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="845"/>
        <source>Sign-in failed (%1).</source>
        <translation>Вход не удался (%1).</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="878"/>
        <source>Not delivered: %1</source>
        <translation>Не доставлено: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="893"/>
        <source>No customer found for “%1”.</source>
        <translation>Клиент по запросу «%1» не найден.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="981"/>
        <source>Type at least two characters.</source>
        <translation>Введите не менее двух символов.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1032"/>
        <source>Only an offered or waiting conversation can be accepted.</source>
        <translation>Принять можно только предложенное или ожидающее обращение.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1047"/>
        <source>Only a conversation offered to you can be declined.</source>
        <translation>Отклонить можно только обращение, предложенное вам.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1063"/>
        <location filename="../../ui/main_window.py" line="1074"/>
        <location filename="../../ui/main_window.py" line="1081"/>
        <location filename="../../ui/main_window.py" line="1392"/>
        <source>Select one of your active conversations first.</source>
        <translation>Сначала выберите одно из своих обращений в работе.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1109"/>
        <source>Select one of your conversations first.</source>
        <translation>Сначала выберите одно из своих обращений.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1124"/>
        <source>Open a customer first.</source>
        <translation>Сначала откройте карточку клиента.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1178"/>
        <source>The suggested text is in your reply.</source>
        <translation>Предложенный текст добавлен в ответ.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1224"/>
        <source>Accept to reply (A)</source>
        <translation>Примите обращение, чтобы ответить (A)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1244"/>
        <source>%1 for %2</source>
        <translation>%1 уже %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="1251"/>
        <source>%n waiting to be sent</source>
        <translation>
            <numerusform>%n действие ждёт отправки</numerusform>
            <numerusform>%n действия ждут отправки</numerusform>
            <numerusform>%n действий ждут отправки</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1264"/>
        <source>Reconnecting in %1 s</source>
        <translation>Переподключение через %1 с</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1266"/>
        <source>Reconnecting…</source>
        <translation>Переподключение…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1269"/>
        <source>Signed out</source>
        <translation>Вход не выполнен</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1271"/>
        <source>Waiting to sign in</source>
        <translation>Ожидание входа</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="1299"/>
        <source>OmniDesk — %n unread</source>
        <translation>
            <numerusform>OmniDesk — %n непрочитанное</numerusform>
            <numerusform>OmniDesk — %n непрочитанных</numerusform>
            <numerusform>OmniDesk — %n непрочитанных</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1328"/>
        <source>Ta&amp;gs…</source>
        <translation>&amp;Метки…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1329"/>
        <source>P&amp;riority</source>
        <translation>П&amp;риоритет</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1333"/>
        <source>&amp;Low</source>
        <translation>&amp;Низкий</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1334"/>
        <source>&amp;Normal</source>
        <translation>&amp;Обычный</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1335"/>
        <source>&amp;High</source>
        <translation>&amp;Высокий</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1336"/>
        <source>&amp;Urgent</source>
        <translation>&amp;Срочный</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1347"/>
        <source>&amp;Snooze…</source>
        <translation>&amp;Отложить…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1349"/>
        <source>Wa&amp;ke up</source>
        <translation>&amp;Вернуть</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1352"/>
        <source>Tags</source>
        <translation>Метки</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1353"/>
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1354"/>
        <source>Snooze</source>
        <translation>Отложить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1355"/>
        <source>Wake up</source>
        <translation>Вернуть</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1447"/>
        <source>%1 wrote: the conversation is back from snooze</source>
        <translation>%1 написал(а): обращение вернулось из отложенных</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1449"/>
        <source>The snooze of %1 is over: the conversation is back</source>
        <translation>Срок откладывания (%1) истёк: обращение вернулось</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1536"/>
        <source>Sign out</source>
        <translation>Выйти из учётной записи</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1538"/>
        <source>You are on a call; it stays connected on the phone.</source>
        <translation>Идёт звонок; он останется соединённым на телефоне.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1541"/>
        <source>Open conversations: %1. They go back to the queue if you are not back within a minute.</source>
        <translation>Открытых обращений: %1. Если вы не вернётесь в течение минуты, они вернутся в очередь.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1544"/>
        <source>Quit anyway?</source>
        <translation>Всё равно выйти?</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1544"/>
        <source>Sign out anyway?</source>
        <translation>Всё равно выйти из учётной записи?</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1551"/>
        <source>Stay</source>
        <translation>Остаться</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="435"/>
        <source>Transfer</source>
        <translation>Перевод</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="438"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <location filename="../../ui/merge_dialog.py" line="31"/>
        <location filename="../../ui/merge_dialog.py" line="32"/>
        <source>Merge with another customer</source>
        <translation>Объединить с другим клиентом</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="37"/>
        <source>Find the other customer</source>
        <translation>Найти второго клиента</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="38"/>
        <source>Phone, e-mail or name</source>
        <translation>Телефон, эл. почта или имя</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="41"/>
        <source>Customers found</source>
        <translation>Найденные клиенты</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="43"/>
        <source>The older customer is kept; the merge can be undone from the card.</source>
        <translation>Останется более ранняя карточка; объединение можно отменить в карточке.</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="50"/>
        <source>Merge</source>
        <translation>Объединить</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="50"/>
        <source>Merge the two customers</source>
        <translation>Объединить двух клиентов</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="87"/>
        <source>(no name)</source>
        <translation>(без имени)</translation>
    </message>
    <message>
        <location filename="../../ui/merge_dialog.py" line="95"/>
        <source>Nobody else found</source>
        <translation>Больше никого не нашлось</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="340"/>
        <source>Add a note</source>
        <translation>Новая заметка</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="341"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="344"/>
        <source>Note text</source>
        <translation>Текст заметки</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="345"/>
        <source>Only colleagues see notes (Ctrl+Enter to save)</source>
        <translation>Заметки видят только коллеги (Ctrl+Enter — сохранить)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="353"/>
        <source>Save note</source>
        <translation>Сохранить заметку</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="353"/>
        <source>Save the note</source>
        <translation>Сохранить заметку</translation>
    </message>
</context>
<context>
    <name>OrderDialog</name>
    <message>
        <location filename="../../ui/order_view.py" line="70"/>
        <source>Order %1</source>
        <translation>Заказ %1</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="71"/>
        <source>Order details</source>
        <translation>Подробности заказа</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="76"/>
        <source>Courier</source>
        <translation>Курьер</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="77"/>
        <source>Pickup point</source>
        <translation>Пункт выдачи</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="78"/>
        <source>Post</source>
        <translation>Почта России</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="85"/>
        <source>Status:</source>
        <translation>Статус:</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="86"/>
        <source>Placed:</source>
        <translation>Оформлен:</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="87"/>
        <source>Total:</source>
        <translation>Итого:</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="92"/>
        <location filename="../../ui/order_view.py" line="166"/>
        <source>Items</source>
        <translation>Товары</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="93"/>
        <source>Product</source>
        <translation>Товар</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="93"/>
        <source>Quantity</source>
        <translation>Количество</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="93"/>
        <source>Price</source>
        <translation>Цена</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="93"/>
        <source>Amount</source>
        <translation>Сумма</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="114"/>
        <location filename="../../ui/order_view.py" line="168"/>
        <source>Delivery</source>
        <translation>Доставка</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="121"/>
        <source>Method:</source>
        <translation>Способ:</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="122"/>
        <source>Carrier:</source>
        <translation>Перевозчик:</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="123"/>
        <source>Address:</source>
        <translation>Адрес:</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="126"/>
        <source>Tracking number:</source>
        <translation>Трек-номер:</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="127"/>
        <source>not yet</source>
        <translation>пока нет</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="136"/>
        <source>Nothing to deliver.</source>
        <translation>Доставка не нужна.</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="141"/>
        <location filename="../../ui/order_view.py" line="170"/>
        <source>Status history</source>
        <translation>История статусов</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="142"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="142"/>
        <source>When</source>
        <translation>Когда</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="142"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="160"/>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <location filename="../../ui/order_view.py" line="161"/>
        <source>Close the order</source>
        <translation>Закрыть заказ</translation>
    </message>
</context>
<context>
    <name>SearchPopup</name>
    <message>
        <location filename="../../ui/main_window.py" line="151"/>
        <source>Search results</source>
        <translation>Результаты поиска</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="156"/>
        <source>Customers found</source>
        <translation>Найденные клиенты</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="173"/>
        <source>(no name)</source>
        <translation>(без имени)</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="153"/>
        <source>Address of the OmniDesk gateway (ws:// or wss://).</source>
        <translation>Адрес шлюза OmniDesk (ws:// или wss://).</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="160"/>
        <source>The operator&apos;s login, remembered for the next start.</source>
        <translation>Логин оператора, запоминается до следующего запуска.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="167"/>
        <source>Language of the interface; &apos;system&apos; follows the operating system.</source>
        <translation>Язык интерфейса; «как в системе» — по настройкам операционной системы.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="178"/>
        <source>Colour theme; &apos;system&apos; follows the operating system&apos;s light or dark mode.</source>
        <translation>Цветовая тема; «как в системе» — светлая или тёмная по настройкам операционной системы.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="189"/>
        <source>Announce new conversations aloud.</source>
        <translation>Объявлять новые обращения голосом.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="196"/>
        <source>Voice id for announcements; empty picks one by language.</source>
        <translation>Голос для объявлений; если пусто — выбирается по языку.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="205"/>
        <source>Speaking rate in words per minute.</source>
        <translation>Скорость речи, слов в минуту.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="213"/>
        <source>Language of spoken announcements.</source>
        <translation>Язык голосовых объявлений.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="220"/>
        <source>Play a sound when a conversation is offered.</source>
        <translation>Проигрывать звук, когда предлагается обращение.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="227"/>
        <source>Show a desktop notification when a conversation is offered.</source>
        <translation>Показывать уведомление на рабочем столе, когда предлагается обращение.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="237"/>
        <source>Reply templates: name, text with {name} and {order}, and a hotkey.</source>
        <translation>Шаблоны ответов: название, текст с {name} и {order} и горячая клавиша.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="247"/>
        <source>How many timeline items to load at a time.</source>
        <translation>Сколько событий ленты загружать за раз.</translation>
    </message>
    <message>
        <location filename="../../omnidesk_qt/settings.py" line="256"/>
        <source>Sizes of the window&apos;s panes, as the operator left them (kept by the window).</source>
        <translation>Размеры панелей окна, какими их оставил оператор (сохраняет окно).</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="149"/>
        <location filename="../../ui/settings_dialog.py" line="150"/>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="153"/>
        <source>Settings pages</source>
        <translation>Разделы настроек</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="155"/>
        <source>&amp;General</source>
        <translation>&amp;Общие</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="156"/>
        <source>&amp;Notifications and speech</source>
        <translation>&amp;Уведомления и речь</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="157"/>
        <source>&amp;Reply templates</source>
        <translation>&amp;Шаблоны ответов</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="173"/>
        <source>The language changes when OmniDesk starts again.</source>
        <translation>Язык сменится при следующем запуске OmniDesk.</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="187"/>
        <source>OK</source>
        <translation>ОК</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="188"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="190"/>
        <source>Restore &amp;defaults</source>
        <translation>&amp;Восстановить по умолчанию</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="191"/>
        <source>Restore the default settings</source>
        <translation>Восстановить настройки по умолчанию</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="212"/>
        <source>&amp;Gateway address:</source>
        <translation>&amp;Адрес шлюза:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="213"/>
        <source>&amp;Language:</source>
        <translation>&amp;Язык:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="214"/>
        <source>&amp;Theme:</source>
        <translation>&amp;Тема:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="215"/>
        <source>&amp;Feed items per page:</source>
        <translation>&amp;Записей ленты за раз:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="216"/>
        <source>Desktop notifications:</source>
        <translation>Уведомления на рабочем столе:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="217"/>
        <source>Sound:</source>
        <translation>Звук:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="218"/>
        <source>Spoken announcements:</source>
        <translation>Голосовые объявления:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="219"/>
        <source>Announcement &amp;language:</source>
        <translation>Я&amp;зык объявлений:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="220"/>
        <source>Speaking &amp;rate:</source>
        <translation>&amp;Скорость речи:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="221"/>
        <source>&amp;Voice:</source>
        <translation>&amp;Голос:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="222"/>
        <source>Reply &amp;templates:</source>
        <translation>&amp;Шаблоны ответов:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="228"/>
        <source>As in the system</source>
        <translation>Как в системе</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="231"/>
        <source>Light</source>
        <translation>Светлая</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="232"/>
        <source>Dark</source>
        <translation>Тёмная</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="238"/>
        <source>Show a notification for each new conversation</source>
        <translation>Показывать уведомление о каждом новом обращении</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="239"/>
        <source>Play a sound for each new conversation</source>
        <translation>Подавать звуковой сигнал при каждом новом обращении</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="240"/>
        <source>Announce new conversations aloud</source>
        <translation>Объявлять новые обращения вслух</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="260"/>
        <source> words/min</source>
        <translation> слов/мин</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="147"/>
        <source>Chosen by the announcement language</source>
        <translation>Выбирается по языку объявлений</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="278"/>
        <source>Set by your organisation</source>
        <translation>Задаётся вашей организацией</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="380"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="379"/>
        <location filename="../../ui/dialogs.py" line="380"/>
        <source>Keyboard shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="383"/>
        <source>Shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="384"/>
        <source>Keys</source>
        <translation>Клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="384"/>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="395"/>
        <location filename="../../ui/dialogs.py" line="396"/>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
</context>
<context>
    <name>SnoozeDialog</name>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="223"/>
        <source>Snooze</source>
        <translation>Отложить</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="225"/>
        <source>Snooze: %1</source>
        <translation>Отложить: %1</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="227"/>
        <source>Snooze the conversation</source>
        <translation>Отложить обращение</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="229"/>
        <source>Set the conversation aside. The customer&apos;s next message wakes it.</source>
        <translation>Отложить обращение. Следующее сообщение клиента вернёт его.</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="234"/>
        <source>Until the customer &amp;replies</source>
        <translation>До &amp;ответа клиента</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="235"/>
        <source>For one &amp;hour</source>
        <translation>На &amp;час</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="236"/>
        <source>Until &amp;tomorrow 9:00</source>
        <translation>До &amp;завтра, 9:00</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="237"/>
        <source>Until &amp;a time:</source>
        <translation>До &amp;времени:</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="250"/>
        <source>Snooze until</source>
        <translation>Отложить до</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="262"/>
        <source>&amp;Snooze</source>
        <translation>&amp;Отложить</translation>
    </message>
</context>
<context>
    <name>TagsDialog</name>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="96"/>
        <source>Tags</source>
        <translation>Метки</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="98"/>
        <source>Tags: %1</source>
        <translation>Метки: %1</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="100"/>
        <location filename="../../ui/triage_dialogs.py" line="104"/>
        <source>Tags of the conversation</source>
        <translation>Метки обращения</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="105"/>
        <source>Delete removes the selected tag</source>
        <translation>Delete удаляет выбранную метку</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="110"/>
        <source>New tag</source>
        <translation>Новая метка</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="111"/>
        <source>Type a tag and press Enter</source>
        <translation>Введите метку и нажмите Enter</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="118"/>
        <source>&amp;Add</source>
        <translation>&amp;Добавить</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="119"/>
        <source>Add the tag</source>
        <translation>Добавить метку</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="122"/>
        <source>&amp;Remove</source>
        <translation>&amp;Удалить</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="123"/>
        <source>Remove the selected tag</source>
        <translation>Удалить выбранную метку</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="128"/>
        <source>Problem with the tag</source>
        <translation>Ошибка в метке</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="131"/>
        <source>&amp;New tag:</source>
        <translation>&amp;Новая метка:</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="137"/>
        <source>&amp;Save</source>
        <translation>&amp;Сохранить</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="165"/>
        <source>A tag is 1 to %1 characters, without spaces or commas.</source>
        <translation>Метка — от 1 до %1 символов, без пробелов и запятых.</translation>
    </message>
    <message>
        <location filename="../../ui/triage_dialogs.py" line="175"/>
        <source>A conversation has at most %1 tags.</source>
        <translation>У обращения не больше %1 меток.</translation>
    </message>
</context>
<context>
    <name>TemplatesEditor</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="69"/>
        <source>Name</source>
        <translation>Название</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="69"/>
        <source>Text</source>
        <translation>Текст</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="69"/>
        <source>Hotkey</source>
        <translation>Горячая клавиша</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="70"/>
        <source>Reply templates</source>
        <translation>Шаблоны ответов</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="75"/>
        <source>&amp;Add template</source>
        <translation>&amp;Добавить шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="76"/>
        <source>Add a template</source>
        <translation>Добавить шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="77"/>
        <source>&amp;Remove template</source>
        <translation>&amp;Удалить шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="78"/>
        <source>Remove the selected template</source>
        <translation>Удалить выбранный шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="80"/>
        <source>In the text, {name} is the customer&apos;s name and {order} their last order.</source>
        <translation>В тексте {name} — имя клиента, {order} — его последний заказ.</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="179"/>
        <location filename="../../ui/dialogs.py" line="229"/>
        <source>Transfer the conversation</source>
        <translation>Перевод обращения</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="180"/>
        <location filename="../../ui/dialogs.py" line="229"/>
        <source>Transfer</source>
        <translation>Перевести</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="182"/>
        <source>available</source>
        <translation>на линии</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="183"/>
        <source>on a break</source>
        <translation>на перерыве</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="184"/>
        <source>after-call work</source>
        <translation>поствызывная обработка</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="185"/>
        <source>offline</source>
        <translation>не в сети</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="187"/>
        <source>To a &amp;queue</source>
        <translation>В &amp;очередь</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="188"/>
        <source>Transfer to a queue</source>
        <translation>Перевести в очередь</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="189"/>
        <source>To a &amp;colleague</source>
        <translation>&amp;Коллеге</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="190"/>
        <source>Transfer to a colleague</source>
        <translation>Перевести коллеге</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="197"/>
        <source>Queues</source>
        <translation>Очереди</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="204"/>
        <source>Colleagues</source>
        <translation>Коллеги</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="224"/>
        <source>Note for the next operator</source>
        <translation>Заметка для следующего оператора</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="225"/>
        <source>What the next operator should know</source>
        <translation>Что нужно знать следующему оператору</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="226"/>
        <source>&amp;Note:</source>
        <translation>&amp;Заметка:</translation>
    </message>
</context>
<context>
    <name>WrapUpDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="289"/>
        <location filename="../../ui/dialogs.py" line="315"/>
        <source>Wrap up the conversation</source>
        <translation>Завершение обращения</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="290"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="294"/>
        <source>Disposition</source>
        <translation>Итог</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="295"/>
        <source>Dispositions</source>
        <translation>Итоги</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="300"/>
        <source>Resolution</source>
        <translation>Решение</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="301"/>
        <source>What was done (Ctrl+Enter to finish)</source>
        <translation>Что сделано (Ctrl+Enter — завершить)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="303"/>
        <source>The customer&apos;s issue is &amp;resolved</source>
        <translation>Вопрос клиента ре&amp;шён</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="305"/>
        <source>Resolved</source>
        <translation>Решено</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="311"/>
        <source>Customer:</source>
        <translation>Клиент:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="312"/>
        <source>&amp;Disposition:</source>
        <translation>&amp;Итог:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="313"/>
        <source>Re&amp;solution:</source>
        <translation>&amp;Решение:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="315"/>
        <source>Wrap up</source>
        <translation>Завершить</translation>
    </message>
</context>
<context>
    <name>WriteFirstDialog</name>
    <message>
        <location filename="../../ui/write_first.py" line="38"/>
        <source>Write first to %1</source>
        <translation>Написать первым: %1</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="38"/>
        <source>customer</source>
        <translation>клиент</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="39"/>
        <source>Write first</source>
        <translation>Написать первым</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="48"/>
        <source>Channel</source>
        <translation>Канал</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="49"/>
        <source>Channels the customer is reached on</source>
        <translation>Каналы, по которым можно связаться с клиентом</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="53"/>
        <source>(claimed, not verified)</source>
        <translation>(заявлен, не подтверждён)</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="60"/>
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="64"/>
        <source>Message</source>
        <translation>Сообщение</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="66"/>
        <source>Ctrl+Enter sends</source>
        <translation>Ctrl+Enter — отправить</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="74"/>
        <source>&amp;Channel:</source>
        <translation>&amp;Канал:</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="75"/>
        <source>&amp;Subject:</source>
        <translation>&amp;Тема:</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="76"/>
        <source>&amp;Message:</source>
        <translation>&amp;Сообщение:</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="82"/>
        <source>Send</source>
        <translation>Отправить</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="83"/>
        <source>Send the first message</source>
        <translation>Отправить первое сообщение</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="85"/>
        <location filename="../../ui/write_first.py" line="86"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="115"/>
        <source>Subject of the e-mail</source>
        <translation>Тема письма</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="115"/>
        <source>Only e-mail has a subject</source>
        <translation>Тема есть только у писем</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="127"/>
        <source>The customer has no contact a message can be sent to.</source>
        <translation>У клиента нет контакта, на который можно отправить сообщение.</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="132"/>
        <source>A conversation on this channel is open already: it opens instead.</source>
        <translation>Обращение в этом канале уже открыто: откроется оно.</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="138"/>
        <source>At most %1 characters on this channel.</source>
        <translation>В этом канале — не больше %1 символов.</translation>
    </message>
    <message>
        <location filename="../../ui/write_first.py" line="141"/>
        <source>The customer only typed this address: the message may reach someone else.</source>
        <translation>Этот адрес клиент только ввёл сам: сообщение может попасть к другому человеку.</translation>
    </message>
</context>
</TS>
